package io.aligncap.events.lambda;

import static io.aligncap.events.testing.EventsTestResource.BUCKET;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.aligncap.events.ObjectRef;
import io.aligncap.events.testing.Events;
import io.aligncap.events.testing.EventsTestResource;
import io.aligncap.events.testing.TestImages;
import io.aligncap.events.testing.Uploads;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Handler {@code sqs}: a batch whose bad messages do not poison the good ones. */
@QuarkusTest
@TestProfile(LambdaHandlerProfile.Sqs.class)
class SqsEventHandlerTest {

  @AfterEach
  void clearFaults() {
    EventsTestResource.s3Proxy().clear();
  }

  @Test
  void partialBatchResponseNamesOnlyTheFailedMessages() {
    ObjectRef good = Uploads.put(BUCKET, "lambda-sqs/good.png", TestImages.png(41), "image/png");
    ObjectRef viaSns = Uploads.put(BUCKET, "lambda-sqs/sns.png", TestImages.png(42), "image/png");
    ObjectRef denied =
        Uploads.put(BUCKET, "lambda-sqs/denied.png", TestImages.png(43), "image/png");
    EventsTestResource.s3Proxy().deny(r -> r.pathContains("lambda-sqs/denied.png"));
    String event =
        Events.sqsEvent(
            Uploads.event(good), // m0: captioned
            "{not json", // m1: poison → back to the queue, then DLQ
            Uploads.event(denied), // m2: transient → retried
            Events.sns(Uploads.event(viaSns)), // m3: captioned
            Events.fixture("s3-test-event.json")); // m4: acknowledged
    Response r = MockEventServer.invoke(event);
    assertEquals(200, r.statusCode(), r.asString());
    List<String> failed = new ArrayList<>();
    Events.parse(r.asString())
        .get("batchItemFailures")
        .forEach((JsonNode n) -> failed.add(n.get("itemIdentifier").asText()));
    assertEquals(List.of("m1", "m2"), failed);
    assertEquals(1, Uploads.results(BUCKET, good.key()).size());
    assertEquals(1, Uploads.results(BUCKET, viaSns.key()).size());
    assertEquals(0, Uploads.results(BUCKET, denied.key()).size());
  }

  /**
   * Issue 11: a key with an invalid percent escape (any producer allowed on the queue can send one)
   * is that message's failure, not the invocation's: the rest of the batch is captioned.
   */
  @Test
  void aKeyThatDoesNotDecodeFailsOnlyItsMessage() {
    ObjectRef good = Uploads.put(BUCKET, "lambda-sqs/fine.png", TestImages.png(44), "image/png");
    String badKey =
        Events.s3Put(BUCKET, "lambda-sqs/placeholder.jpg", "\"abc\"", 3, null)
            .replace("lambda-sqs/placeholder.jpg", "lambda-sqs/100%.jpg");
    Response r = MockEventServer.invoke(Events.sqsEvent(badKey, Uploads.event(good)));
    assertEquals(200, r.statusCode(), r.asString());
    List<String> failed = new ArrayList<>();
    Events.parse(r.asString())
        .get("batchItemFailures")
        .forEach((JsonNode n) -> failed.add(n.get("itemIdentifier").asText()));
    assertEquals(List.of("m0"), failed);
    assertEquals(1, Uploads.results(BUCKET, good.key()).size());
  }
}
