package io.aligncap.aws;

import io.aligncap.config.AligncapConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The service's AWS clients, built once from {@code aligncap.aws.*} and only on first use (the HTTP
 * API with a local model never builds one): the S3 client serves both the model fetcher ({@code
 * aligncap.model.path=s3://...}) and the event modes, the SQS client the container worker. Both use
 * the url-connection HTTP client (small, fast to start on Lambda) and the SDK's standard retries:
 * throttling (503 SlowDown) and 5xx are retried with backoff before a failure reaches the caller.
 */
@ApplicationScoped
public class AwsClients {

  /** The longest long poll SQS allows; every SQS call gets this on top of its time limit. */
  static final Duration SQS_MAX_WAIT = Duration.ofSeconds(20);

  @Produces
  @ApplicationScoped
  S3Client s3(AligncapConfig config) {
    AligncapConfig.Aws aws = config.aws();
    var builder =
        common(S3Client.builder(), aws, aws.apiCallTimeout())
            .httpClient(UrlConnectionHttpClient.create())
            .forcePathStyle(aws.s3PathStyle());
    aws.s3Endpoint().ifPresent(builder::endpointOverride);
    return builder.build();
  }

  @Produces
  @ApplicationScoped
  SqsClient sqs(AligncapConfig config) {
    AligncapConfig.Aws aws = config.aws();
    Duration timeout = aws.apiCallTimeout().plus(SQS_MAX_WAIT);
    var builder =
        common(SqsClient.builder(), aws, timeout)
            .httpClient(UrlConnectionHttpClient.builder().socketTimeout(timeout).build());
    aws.sqsEndpoint().ifPresent(builder::endpointOverride);
    return builder.build();
  }

  void close(@Disposes S3Client client) {
    client.close();
  }

  void close(@Disposes SqsClient client) {
    client.close();
  }

  /** Region, retries and the time limit of one call, retries included. */
  private static <B extends AwsClientBuilder<B, ?>> B common(
      B builder, AligncapConfig.Aws aws, Duration callTimeout) {
    aws.region().map(Region::of).ifPresent(builder::region);
    return builder.overrideConfiguration(
        ClientOverrideConfiguration.builder()
            .retryStrategy(
                AwsRetryStrategy.standardRetryStrategy().toBuilder()
                    .maxAttempts(aws.maxAttempts())
                    .build())
            .apiCallTimeout(callTimeout)
            .build());
  }
}
