package io.aligncap.events.lambda;

import static io.aligncap.events.testing.EventsTestResource.BUCKET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.aligncap.events.ObjectRef;
import io.aligncap.events.testing.Events;
import io.aligncap.events.testing.EventsTestResource;
import io.aligncap.events.testing.TestImages;
import io.aligncap.events.testing.Uploads;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Handler {@code s3}: S3 event notifications as Lambda receives them. */
@QuarkusTest
@TestProfile(LambdaHandlerProfile.S3.class)
class S3EventHandlerTest {

  @AfterEach
  void clearFaults() {
    EventsTestResource.s3Proxy().clear();
  }

  @Test
  void objectCreatedEventIsCaptioned() {
    ObjectRef ref =
        Uploads.put(BUCKET, "lambda/summer beach+sea.png", TestImages.png(31), "image/png");
    Response r = MockEventServer.invoke(Uploads.event(ref));
    assertEquals(200, r.statusCode(), r.asString());
    JsonNode summary = Events.parse(r.asString());
    assertEquals("CAPTIONED", summary.at("/outcomes/0/status").asText(), summary.toString());
    assertEquals(1, Uploads.results(BUCKET, ref.key()).size());
    // Delivered again (S3 is at-least-once): no second result.
    JsonNode again = Events.parse(MockEventServer.invoke(Uploads.event(ref)).asString());
    assertEquals("ALREADY_DONE", again.at("/outcomes/0/status").asText());
    assertEquals(1, Uploads.results(BUCKET, ref.key()).size());
  }

  @Test
  void testEventIsAcknowledged() {
    Response r = MockEventServer.invoke(Events.fixture("s3-test-event.json"));
    assertEquals(200, r.statusCode(), r.asString());
    assertTrue(r.asString().contains("s3:TestEvent"), r.asString());
  }

  /** Issue 11: a retry cannot fix a key that does not decode: logged and dropped, not thrown. */
  @Test
  void aKeyThatDoesNotDecodeIsAPermanentFailureNotAFailedInvocation() {
    String event =
        Events.s3Put(BUCKET, "lambda/placeholder.jpg", "\"abc\"", 3, null)
            .replace("lambda/placeholder.jpg", "lambda/100%.jpg");
    Response r = MockEventServer.invoke(event);
    assertEquals(200, r.statusCode(), r.asString());
    assertTrue(r.asString().contains("100%.jpg"), r.asString());
  }

  @Test
  void transientFailureFailsTheInvocationSoLambdaRetries() {
    ObjectRef ref = Uploads.put(BUCKET, "lambda/denied.png", TestImages.png(32), "image/png");
    EventsTestResource.s3Proxy()
        .deny(r -> r.pathContains("lambda/denied.png") && r.method().equals("GET"));
    Response r = MockEventServer.invoke(Uploads.event(ref));
    assertNotEquals(200, r.statusCode(), r.asString());
    assertTrue(r.asString().contains("TransientEventException"), r.asString());
    assertEquals(0, Uploads.results(BUCKET, ref.key()).size());
  }
}
