package io.aligncap.events.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Real servers for the event tests: moto's S3 (its own process) and ElasticMQ's SQS (in-process),
 * each behind a {@link FaultProxy} that the service talks to. Creates an unversioned and a
 * versioned bucket and a queue whose redrive policy moves a message to its dead-letter queue after
 * {@value #MAX_RECEIVES} receives. Tests reach everything through the static accessors; their own
 * S3/SQS clients talk to the servers directly, not the proxies.
 */
public class EventsTestResource implements QuarkusTestResourceLifecycleManager {

  public static final String BUCKET = "photos";
  public static final String VERSIONED_BUCKET = "photos-versioned";
  public static final String QUEUE = "aligncap-events";
  public static final int MAX_RECEIVES = 2;
  static final String REGION = "us-east-1";

  private static MotoServer moto;
  private static SQSRestServer elasticMq;
  private static FaultProxy s3Proxy;
  private static FaultProxy sqsProxy;
  private static S3Client s3;
  private static SqsClient sqs;
  private static String queueUrl;
  private static String dlqUrl;

  @Override
  public Map<String, String> start() {
    // The SDK's default credential chain reads these (never real credentials: local servers).
    System.setProperty("aws.accessKeyId", "test");
    System.setProperty("aws.secretAccessKey", "test");
    moto = MotoServer.start();
    int sqsPort = MotoServer.freePort();
    elasticMq =
        SQSRestServerBuilder.withInterface("127.0.0.1")
            .withPort(sqsPort)
            .withServerAddress(new NodeAddress("http", "127.0.0.1", sqsPort, ""))
            .withAWSRegion(REGION)
            .start();
    elasticMq.waitUntilStarted();
    URI sqsEndpoint = URI.create("http://127.0.0.1:" + sqsPort);
    s3Proxy = new FaultProxy(moto.endpoint());
    sqsProxy = new FaultProxy(sqsEndpoint);
    s3 = s3Client(moto.endpoint());
    sqs = sqsClient(sqsEndpoint);
    s3.createBucket(b -> b.bucket(BUCKET));
    s3.createBucket(b -> b.bucket(VERSIONED_BUCKET));
    s3.putBucketVersioning(
        b -> b.bucket(VERSIONED_BUCKET).versioningConfiguration(v -> v.status("Enabled")));
    dlqUrl = sqs.createQueue(b -> b.queueName(QUEUE + "-dlq")).queueUrl();
    String dlqArn =
        sqs.getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
            .attributes()
            .get(QueueAttributeName.QUEUE_ARN);
    queueUrl =
        sqs.createQueue(
                b ->
                    b.queueName(QUEUE)
                        .attributes(
                            Map.of(
                                QueueAttributeName.REDRIVE_POLICY,
                                "{\"maxReceiveCount\":\""
                                    + MAX_RECEIVES
                                    + "\",\"deadLetterTargetArn\":\""
                                    + dlqArn
                                    + "\"}")))
            .queueUrl();

    Map<String, String> config = new HashMap<>();
    config.put("aligncap.aws.region", REGION);
    config.put("aligncap.aws.s3-endpoint", s3Proxy.endpoint().toString());
    config.put("aligncap.aws.s3-path-style", "true");
    config.put("aligncap.aws.sqs-endpoint", sqsProxy.endpoint().toString());
    config.put("aligncap.aws.api-call-timeout", "20s");
    config.put("aligncap.events.output.tag-source", "true");
    config.put("aligncap.events.sqs.queue-url", queueUrl);
    return config;
  }

  @Override
  public void stop() {
    if (s3Proxy != null) {
      s3Proxy.close();
    }
    if (sqsProxy != null) {
      sqsProxy.close();
    }
    if (elasticMq != null) {
      elasticMq.stopAndWait();
    }
    if (moto != null) {
      moto.close();
    }
  }

  /** A client straight to the S3 server (the test's own uploads and checks). */
  public static S3Client s3() {
    return s3;
  }

  /** A client straight to the SQS server. */
  public static SqsClient sqs() {
    return sqs;
  }

  public static FaultProxy s3Proxy() {
    return s3Proxy;
  }

  public static FaultProxy sqsProxy() {
    return sqsProxy;
  }

  public static String queueUrl() {
    return queueUrl;
  }

  public static String deadLetterQueueUrl() {
    return dlqUrl;
  }

  static S3Client s3Client(URI endpoint) {
    return S3Client.builder()
        .endpointOverride(endpoint)
        .forcePathStyle(true)
        .region(Region.of(REGION))
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  static SqsClient sqsClient(URI endpoint) {
    return SqsClient.builder()
        .endpointOverride(endpoint)
        .region(Region.of(REGION))
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }
}
