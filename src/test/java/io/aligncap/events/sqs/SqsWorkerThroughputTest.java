package io.aligncap.events.sqs;

import static io.aligncap.events.testing.EventsTestResource.BUCKET;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aligncap.events.EventMetrics;
import io.aligncap.events.ObjectRef;
import io.aligncap.events.Outcome;
import io.aligncap.events.testing.Await;
import io.aligncap.events.testing.EventsTestResource;
import io.aligncap.events.testing.TestImages;
import io.aligncap.events.testing.Uploads;
import io.aligncap.events.testing.WorkerTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * How many S3 events per second the container worker sustains with the configured model (the figure
 * is printed, not asserted), and that none was lost or captioned twice on the way (that is
 * asserted). Runs only when asked:
 *
 * <pre>mvn -Dbuild.dir=target-events test -Dtest=SqsWorkerThroughputTest -Dbench.events=200</pre>
 *
 * N distinct PNG uploads, then N ObjectCreated messages sent at once; the clock runs from the first
 * send until every object has its result, and also counts lost (no result) or duplicated (more than
 * one inference) events.
 */
@QuarkusTest
@TestProfile(WorkerTestProfile.class)
@EnabledIfSystemProperty(named = "bench.events", matches = "\\d+")
class SqsWorkerThroughputTest {

  @Inject EventMetrics metrics;

  @ConfigProperty(name = "aligncap.events.sqs.concurrency")
  int concurrency;

  @Test
  void eventsPerSecond() {
    int n = Integer.getInteger("bench.events");
    List<ObjectRef> refs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      refs.add(
          Uploads.put(
              BUCKET,
              "bench/" + System.nanoTime() + "-" + i + ".png",
              TestImages.png(1000 + i),
              "image/png"));
    }
    long inferencesBefore = metrics.inferences();
    long captionedBefore = metrics.outcomes(Outcome.Status.CAPTIONED);
    long start = System.nanoTime();
    for (int i = 0; i < n; i += 10) {
      List<SendMessageBatchRequestEntry> batch = new ArrayList<>();
      for (int j = i; j < Math.min(n, i + 10); j++) {
        batch.add(
            SendMessageBatchRequestEntry.builder()
                .id("e" + j)
                .messageBody(Uploads.event(refs.get(j)))
                .build());
      }
      EventsTestResource.sqs()
          .sendMessageBatch(b -> b.queueUrl(EventsTestResource.queueUrl()).entries(batch));
    }
    Await.until(
        Duration.ofMinutes(20),
        n + " results",
        () -> metrics.outcomes(Outcome.Status.CAPTIONED) - captionedBefore >= n);
    double seconds = (System.nanoTime() - start) / 1e9;
    long lost = refs.stream().filter(r -> Uploads.results(BUCKET, r.key()).size() != 1).count();
    long inferences = metrics.inferences() - inferencesBefore;
    System.out.printf(
        "%nEVENTS THROUGHPUT: %d events in %.1f s = %.2f events/s (concurrency %d, %d cores);"
            + " results missing or doubled: %d, inferences: %d%n%n",
        n,
        seconds,
        n / seconds,
        concurrency,
        Runtime.getRuntime().availableProcessors(),
        lost,
        inferences);
    assertEquals(0, lost, "objects without exactly one result");
    assertEquals(n, inferences, "inferences: one per object, none for a redelivered duplicate");
  }
}
