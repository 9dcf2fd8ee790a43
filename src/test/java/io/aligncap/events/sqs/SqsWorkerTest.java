package io.aligncap.events.sqs;

import static io.aligncap.events.testing.EventsTestResource.BUCKET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aligncap.events.EventMetrics;
import io.aligncap.events.ObjectRef;
import io.aligncap.events.testing.Await;
import io.aligncap.events.testing.Events;
import io.aligncap.events.testing.EventsTestResource;
import io.aligncap.events.testing.TestImages;
import io.aligncap.events.testing.Uploads;
import io.aligncap.events.testing.WorkerTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The container worker against a real SQS server (ElasticMQ) and real S3 (moto): the envelopes S3
 * delivers through, duplicates, a delete lost as when the worker is killed, a poison message,
 * graceful shutdown. The queue's redrive policy sends a message to the dead-letter queue after
 * {@value EventsTestResource#MAX_RECEIVES} receives; the visibility timeout is 3 s.
 */
@QuarkusTest
@TestProfile(WorkerTestProfile.class)
class SqsWorkerTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Inject SqsWorker worker;
  @Inject EventMetrics metrics;

  private final SqsClient sqs = EventsTestResource.sqs();

  @AfterEach
  void drainedAndClean() {
    EventsTestResource.sqsProxy().clear();
    EventsTestResource.s3Proxy().clear();
    if (!worker.isRunning()) {
      worker.start();
    }
    Await.until(WAIT, "the queue to drain", this::queueIsEmpty);
  }

  private void send(String body) {
    sqs.sendMessage(b -> b.queueUrl(EventsTestResource.queueUrl()).messageBody(body));
  }

  private ObjectRef upload(String key, int seed) {
    return Uploads.put(BUCKET, key, TestImages.png(seed), "image/png");
  }

  private void awaitResults(String key, int n) {
    Await.until(WAIT, n + " result(s) for " + key, () -> Uploads.results(BUCKET, key).size() >= n);
  }

  private boolean queueIsEmpty() {
    var a =
        sqs.getQueueAttributes(
                b ->
                    b.queueUrl(EventsTestResource.queueUrl())
                        .attributeNames(
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
            .attributes();
    return "0".equals(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
        && "0".equals(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
  }

  private List<Message> deadLetters() {
    return sqs.receiveMessage(
            b ->
                b.queueUrl(EventsTestResource.deadLetterQueueUrl())
                    .maxNumberOfMessages(10)
                    .visibilityTimeout(0)
                    .waitTimeSeconds(1))
        .messages();
  }

  @Test
  void rawSnsAndEventBridgeDeliveriesAreCaptioned() {
    ObjectRef raw = upload("worker/raw event.png", 21);
    ObjectRef viaSns = upload("worker/via-sns.png", 22);
    ObjectRef viaEventBridge = upload("worker/via-eventbridge.png", 23);
    send(Uploads.event(raw));
    send(Events.sns(Uploads.event(viaSns)));
    send(
        Events.eventBridge(
            BUCKET, viaEventBridge.key(), viaEventBridge.eTag(), viaEventBridge.size()));
    awaitResults(raw.key(), 1);
    awaitResults(viaSns.key(), 1);
    awaitResults(viaEventBridge.key(), 1);
    Await.until(WAIT, "the queue to drain", this::queueIsEmpty);
  }

  @Test
  void theTestEventIsAcknowledged() {
    send(Events.fixture("s3-test-event.json"));
    Await.until(WAIT, "the test event to be deleted", this::queueIsEmpty);
    assertTrue(deadLetters().stream().noneMatch(m -> m.body().contains("s3:TestEvent")));
  }

  @Test
  void threeDeliveriesOfOneEventGiveOneResultAndOneInference() {
    ObjectRef ref = upload("worker/duplicate.png", 24);
    long before = metrics.inferences();
    String event = Uploads.event(ref);
    send(event);
    send(event);
    send(event);
    awaitResults(ref.key(), 1);
    Await.until(WAIT, "the queue to drain", this::queueIsEmpty);
    assertEquals(1, Uploads.results(BUCKET, ref.key()).size());
    assertEquals(before + 1, metrics.inferences());
  }

  @Test
  void deleteLostAfterCaptioningIsRedeliveredAndStillOneResult() {
    // As if the worker were killed between writing the result and deleting the message: every
    // attempt of the first DeleteMessage fails, so the message comes back after its timeout.
    EventsTestResource.sqsProxy()
        .fail(
            r -> r.target().endsWith("DeleteMessage"),
            4,
            500,
            "{\"__type\":\"InternalFailure\",\"message\":\"injected\"}");
    ObjectRef ref = upload("worker/killed-before-delete.png", 25);
    long before = metrics.inferences();
    send(Uploads.event(ref));
    Await.until(
        WAIT,
        "the redelivered message to be deleted",
        () ->
            EventsTestResource.sqsProxy().count(r -> r.target().endsWith("DeleteMessage")) >= 5
                && queueIsEmpty());
    assertEquals(1, Uploads.results(BUCKET, ref.key()).size());
    assertEquals(before + 1, metrics.inferences());
    assertTrue(deadLetters().stream().noneMatch(m -> m.body().contains("killed-before-delete")));
  }

  @Test
  void poisonMessageReachesTheDeadLetterQueue() {
    String poison = "this is not an S3 event " + System.nanoTime();
    send(poison);
    Await.until(
        WAIT,
        "the poison message in the dead-letter queue",
        () -> deadLetters().stream().anyMatch(m -> m.body().equals(poison)));
    Await.until(WAIT, "the queue to drain", this::queueIsEmpty);
  }

  @Test
  void shutdownFinishesInFlightWorkAndStopsPolling() {
    ObjectRef slow = upload("worker/slow.png", 26);
    EventsTestResource.s3Proxy()
        .delay(
            r -> r.method().equals("GET") && r.pathContains("worker/slow.png"),
            Duration.ofSeconds(2));
    send(Uploads.event(slow));
    Await.until(WAIT, "the message to be in flight", () -> worker.inFlight() > 0);

    worker.stop(); // returns once the in-flight message is finished

    assertFalse(worker.isRunning());
    assertEquals(0, worker.inFlight());
    assertEquals(1, Uploads.results(BUCKET, slow.key()).size());
    Await.until(WAIT, "the finished message to be deleted", this::queueIsEmpty);
    ObjectRef later = upload("worker/after-shutdown.png", 27);
    send(Uploads.event(later));
    try {
      Thread.sleep(2000); // a stopped worker must not take it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    assertEquals(0, Uploads.results(BUCKET, later.key()).size());
    worker.start();
    awaitResults(later.key(), 1);
  }
}
