package io.aligncap.events.lambda;

import io.aligncap.events.testing.EventsTestResource;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/**
 * The lambda-events package with one named handler chosen, as {@code QUARKUS_LAMBDA_HANDLER} does
 * on AWS, against the test S3 server. Events are POSTed to the mock Lambda event server.
 */
abstract class LambdaHandlerProfile implements QuarkusTestProfile {

  private final String handler;

  LambdaHandlerProfile(String handler) {
    this.handler = handler;
  }

  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.of("quarkus.lambda.handler", handler);
  }

  @Override
  public List<TestResourceEntry> testResources() {
    return List.of(new TestResourceEntry(EventsTestResource.class));
  }

  public static class S3 extends LambdaHandlerProfile {
    public S3() {
      super("s3");
    }
  }

  public static class Sqs extends LambdaHandlerProfile {
    public Sqs() {
      super("sqs");
    }
  }

  public static class Batch extends LambdaHandlerProfile {
    public Batch() {
      super("s3-batch");
    }
  }
}
