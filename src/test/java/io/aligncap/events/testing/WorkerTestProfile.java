package io.aligncap.events.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/**
 * The container app with the SQS worker on, against {@link EventsTestResource}'s servers. Short
 * timeouts so redelivery and dead-lettering happen within seconds.
 */
public class WorkerTestProfile implements QuarkusTestProfile {

  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.of(
        "aligncap.events.sqs.enabled", "true",
        "aligncap.events.sqs.concurrency", "2",
        "aligncap.events.sqs.wait-time", "1s",
        "aligncap.events.sqs.visibility-timeout", "3s",
        "aligncap.events.sqs.shutdown-grace", "20s");
  }

  @Override
  public List<TestResourceEntry> testResources() {
    return List.of(new TestResourceEntry(EventsTestResource.class));
  }
}
