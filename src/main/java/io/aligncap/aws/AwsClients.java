package io.aligncap.events.s3;

import io.aligncap.events.EventsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The S3 and SQS clients of the event modes, built once from {@link EventsConfig} (created on
 * first use, so the HTTP API alone never builds them). Both use the url-connection HTTP client
 * (small, fast to start on Lambda) and the SDK's standard retries: throttling (503 SlowDown) and
 * 5xx are retried with backoff before a failure reaches the caller.
 */
@ApplicationScoped
public class AwsClients {

  @Produces
  @ApplicationScoped
  S3Client s3(EventsConfig config) {
    EventsConfig.Aws aws = config.aws();
    var builder =
        S3Client.builder()
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(overrides(aws))
            .forcePathStyle(aws.s3PathStyle());
    aws.region().map(Region::of).ifPresent(builder::region);
    aws.s3Endpoint().ifPresent(builder::endpointOverride);
    return builder.build();
  }

  @Produces
  @ApplicationScoped
  SqsClient sqs(EventsConfig config) {
    EventsConfig.Aws aws = config.aws();
    // A long poll blocks for the wait time: give each call that much on top of its limit.
    var timeout = aws.apiCallTimeout().plus(config.sqs().waitTime());
    var builder =
        SqsClient.builder()
            .httpClient(
                UrlConnectionHttpClient.builder().socketTimeout(timeout).build())
            .overrideConfiguration(overrides(aws).toBuilder().apiCallTimeout(timeout).build());
    aws.region().map(Region::of).ifPresent(builder::region);
    aws.sqsEndpoint().ifPresent(builder::endpointOverride);
    return builder.build();
  }

  void close(@Disposes S3Client client) {
    client.close();
  }

  void close(@Disposes SqsClient client) {
    client.close();
  }

  private static ClientOverrideConfiguration overrides(EventsConfig.Aws aws) {
    return ClientOverrideConfiguration.builder()
        .retryStrategy(
            AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(aws.maxAttempts())
                .build())
        .apiCallTimeout(aws.apiCallTimeout())
        .build();
  }
}
