package io.aligncap.events.lambda;

import static io.aligncap.events.testing.EventsTestResource.BUCKET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.aligncap.events.testing.Events;
import io.aligncap.events.testing.EventsTestResource;
import io.aligncap.events.testing.TestImages;
import io.aligncap.events.testing.Uploads;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Handler {@code s3-batch}: backfilling existing objects through S3 Batch Operations. */
@QuarkusTest
@TestProfile(LambdaHandlerProfile.Batch.class)
class S3BatchHandlerTest {

  @AfterEach
  void clearFaults() {
    EventsTestResource.s3Proxy().clear();
  }

  private static JsonNode invoke(String fixture, String encodedKey) {
    String event = Events.fixture(fixture).replace("backfill/old+photo.png", encodedKey);
    Response r = MockEventServer.invoke(event);
    assertEquals(200, r.statusCode(), r.asString());
    return Events.parse(r.asString());
  }

  @Test
  void schema1And2TasksAreCaptionedOnce() {
    Uploads.put(BUCKET, "backfill/old photo.png", TestImages.png(51), "image/png");
    JsonNode v1 = invoke("s3-batch-v1.json", "backfill/old+photo.png");
    assertEquals("1.0", v1.get("invocationSchemaVersion").asText());
    assertEquals(
        "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo", v1.get("invocationId").asText());
    assertEquals("dGFza2lkZ29lc2hlcmUK", v1.at("/results/0/taskId").asText());
    assertEquals("Succeeded", v1.at("/results/0/resultCode").asText(), v1.toString());
    assertTrue(
        v1.at("/results/0/resultString")
            .asText()
            .startsWith("captions/photos/backfill/old photo.png/"));
    JsonNode v2 = invoke("s3-batch-v2.json", "backfill/old+photo.png");
    assertEquals("2.0", v2.get("invocationSchemaVersion").asText(), v2.toString()); // issue 11
    assertEquals("Succeeded", v2.at("/results/0/resultCode").asText(), v2.toString());
    assertEquals(1, Uploads.results(BUCKET, "backfill/old photo.png").size());
  }

  @Test
  void missingObjectIsAPermanentFailureAndDeniedATemporaryOne() {
    JsonNode missing = invoke("s3-batch-v2.json", "backfill/never+uploaded.png");
    assertEquals(
        "PermanentFailure", missing.at("/results/0/resultCode").asText(), missing.toString());
    Uploads.put(BUCKET, "backfill/locked.png", TestImages.png(52), "image/png");
    EventsTestResource.s3Proxy().deny(r -> r.pathContains("backfill/locked.png"));
    JsonNode denied = invoke("s3-batch-v1.json", "backfill/locked.png");
    assertEquals(
        "TemporaryFailure", denied.at("/results/0/resultCode").asText(), denied.toString());
  }
}
