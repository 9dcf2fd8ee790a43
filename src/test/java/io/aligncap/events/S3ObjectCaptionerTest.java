package io.aligncap.events;

import static io.aligncap.events.testing.EventsTestResource.BUCKET;
import static io.aligncap.events.testing.EventsTestResource.VERSIONED_BUCKET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.aligncap.events.testing.Events;
import io.aligncap.events.testing.EventsTestResource;
import io.aligncap.events.testing.FaultProxy;
import io.aligncap.events.testing.TestImages;
import io.aligncap.events.testing.Uploads;
import io.aligncap.events.testing.WorkerTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The "caption this S3 object" operation against real S3 (moto) with the default model, and its
 * faults: throttling, access denied, a deleted object, a corrupt image, duplicates.
 */
@QuarkusTest
@TestProfile(WorkerTestProfile.class)
class S3ObjectCaptionerTest {

  @Inject S3ObjectCaptioner captioner;
  @Inject EventMetrics metrics;

  private final FaultProxy s3 = EventsTestResource.s3Proxy();

  /** A GetObject of {@code key} (not its tags). */
  private static java.util.function.Predicate<FaultProxy.Request> getObject(String key) {
    return r -> r.method().equals("GET") && r.pathContains(key) && !r.query().contains("tagging");
  }

  @AfterEach
  void clearFaults() {
    s3.clear();
  }

  /** What a real S3 event for this upload parses to. */
  private static ObjectRef upload(String bucket, String key, byte[] bytes) {
    ObjectRef put = Uploads.put(bucket, key, bytes, "image/png");
    return S3EventParser.parse(Uploads.event(put)).objects().get(0);
  }

  @Test
  void captionsAnUploadAndWritesTheResultNextToIt() {
    ObjectRef ref = upload(BUCKET, "uploads/red flower+(2) copy.png", TestImages.png(1));
    long before = metrics.inferences();

    Outcome o = captioner.caption(ref);

    assertEquals(Outcome.Status.CAPTIONED, o.status(), o.toString());
    assertTrue(o.resultKey().startsWith("captions/photos/uploads/red flower+(2) copy.png/"));
    assertTrue(o.resultKey().endsWith("/e-" + ref.eTag() + ".json"), o.resultKey());
    assertEquals(before + 1, metrics.inferences());
    JsonNode doc = Events.parse(Uploads.read(BUCKET, o.resultKey()));
    assertEquals(ResultDocument.SCHEMA, doc.get("schema").asText());
    assertEquals("succeeded", doc.get("status").asText());
    assertEquals("uploads/red flower+(2) copy.png", doc.at("/source/key").asText());
    assertEquals(ref.eTag(), doc.at("/source/etag").asText());
    assertEquals("image/png", doc.at("/source/content_type").asText());
    assertEquals(doc.at("/model/id").asText(), doc.at("/result/model_id").asText());
    JsonNode best = doc.at("/result/captions/0");
    assertTrue(best.get("text").asText().length() > 0, doc.toString());
    assertTrue(best.get("log_prob").asDouble() <= 0, doc.toString());
    assertTrue(doc.at("/result/snippets").isArray(), doc.toString());
    assertTrue(doc.at("/timings_ms/total").asLong() >= 0, doc.toString());
    var tags =
        EventsTestResource.s3().getObjectTagging(b -> b.bucket(BUCKET).key(ref.key())).tagSet();
    assertTrue(
        tags.stream()
            .anyMatch(t -> t.key().equals("aligncap-status") && t.value().equals("succeeded")),
        tags.toString());
  }

  @Test
  void versionedBucketCaptionsTheEventsVersion() {
    ObjectRef v1 = upload(VERSIONED_BUCKET, "cat.png", TestImages.png(2));
    Uploads.put(VERSIONED_BUCKET, "cat.png", TestImages.truncatedPng(), "image/png"); // v2
    Outcome o = captioner.caption(v1);
    assertEquals(Outcome.Status.CAPTIONED, o.status(), o.toString());
    assertTrue(o.resultKey().endsWith("/v-" + v1.versionId() + ".json"), o.resultKey());
    JsonNode doc = Events.parse(Uploads.read(VERSIONED_BUCKET, o.resultKey()));
    assertEquals(v1.versionId(), doc.at("/source/version_id").asText());
  }

  @Test
  void theSameEventThreeTimesGivesOneResultAndOneInference() throws Exception {
    ObjectRef ref = upload(BUCKET, "dup/sequential.png", TestImages.png(3));
    long before = metrics.inferences();
    List<Outcome.Status> seq =
        List.of(
            captioner.caption(ref).status(),
            captioner.caption(ref).status(),
            captioner.caption(ref).status());
    assertEquals(
        List.of(Outcome.Status.CAPTIONED, Outcome.Status.ALREADY_DONE, Outcome.Status.ALREADY_DONE),
        seq);

    // ... and three at once (S3 may deliver duplicates together)
    ObjectRef together = upload(BUCKET, "dup/concurrent.png", TestImages.png(4));
    var pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Outcome>> fs =
          List.of(
              pool.submit(() -> captioner.caption(together)),
              pool.submit(() -> captioner.caption(together)),
              pool.submit(() -> captioner.caption(together)));
      long captioned = 0;
      for (Future<Outcome> f : fs) {
        captioned += f.get().status() == Outcome.Status.CAPTIONED ? 1 : 0;
      }
      assertEquals(1, captioned);
    } finally {
      pool.shutdown();
    }
    assertEquals(before + 2, metrics.inferences());
    assertEquals(1, Uploads.results(BUCKET, "dup/sequential.png").size());
    assertEquals(1, Uploads.results(BUCKET, "dup/concurrent.png").size());
  }

  @Test
  void throttlingThenRecoveryIsRetriedBySdk() {
    ObjectRef ref = upload(BUCKET, "slow/throttled.png", TestImages.png(5));
    s3.slowDown(getObject("throttled.png"), 2);
    assertEquals(Outcome.Status.CAPTIONED, captioner.caption(ref).status());
    assertEquals(3, s3.count(getObject("throttled.png")));
  }

  @Test
  void accessDeniedIsLeftForRetryAndSucceedsOnceFixed() {
    ObjectRef ref = upload(BUCKET, "denied/photo.png", TestImages.png(6));
    s3.deny(getObject("denied/photo.png"));
    assertThrows(TransientEventException.class, () -> captioner.caption(ref));
    assertEquals(0, Uploads.results(BUCKET, "denied/photo.png").size());
    s3.clear(); // the operator fixes the policy; the redelivered event succeeds
    assertEquals(Outcome.Status.CAPTIONED, captioner.caption(ref).status());
  }

  @Test
  void deniedHeadOfTheResultFallsBackToTheConditionalWrite() {
    // Without s3:ListBucket, S3 answers HEAD of a missing key with 403, not 404.
    ObjectRef ref = upload(BUCKET, "nolist/photo.png", TestImages.png(12));
    s3.deny(r -> r.method().equals("HEAD") && r.pathContains("captions/photos/nolist/"));
    assertEquals(Outcome.Status.CAPTIONED, captioner.caption(ref).status());
    assertEquals(Outcome.Status.ALREADY_DONE, captioner.caption(ref).status());
    assertEquals(1, Uploads.results(BUCKET, "nolist/photo.png").size());
  }

  @Test
  void objectDeletedBeforeProcessingIsRecordedAsFailure() {
    ObjectRef ref = upload(BUCKET, "gone/soon.png", TestImages.png(8));
    EventsTestResource.s3().deleteObject(b -> b.bucket(BUCKET).key(ref.key()));
    Outcome o = captioner.caption(ref);
    assertEquals(Outcome.Status.FAILED, o.status(), o.toString());
    JsonNode doc = Events.parse(Uploads.read(BUCKET, o.resultKey()));
    assertEquals("failed", doc.get("status").asText());
    assertEquals("source_missing", doc.at("/error/type").asText());
  }

  @Test
  void corruptImageIsRecordedOnceAndNotRetried() {
    ObjectRef ref = upload(BUCKET, "broken/half.png", TestImages.truncatedPng());
    long before = metrics.inferences();
    Outcome o = captioner.caption(ref);
    assertEquals(Outcome.Status.FAILED, o.status(), o.toString());
    JsonNode doc = Events.parse(Uploads.read(BUCKET, o.resultKey()));
    assertEquals("invalid_image", doc.at("/error/type").asText(), doc.toString());
    assertEquals(Outcome.Status.ALREADY_DONE, captioner.caption(ref).status());
    assertEquals(before, metrics.inferences());
  }

  @Test
  void nonImagesResultsAndOtherPrefixesAreSkippedWithoutS3Calls() {
    ObjectRef text =
        new ObjectRef(BUCKET, "notes/readme.txt", null, "e", 10L, "ObjectCreated:Put", null);
    ObjectRef result =
        new ObjectRef(
            BUCKET,
            "captions/photos/a.png/m@1/e-x.json",
            null,
            "e",
            10L,
            "ObjectCreated:Put",
            null);
    assertEquals(Outcome.Status.SKIPPED, captioner.caption(text).status());
    assertEquals(Outcome.Status.SKIPPED, captioner.caption(result).status());
    assertEquals(0, s3.count(r -> true));
  }

  @Test
  void tooLargeByTheEventsSizeFailsWithoutDownloading() {
    ObjectRef ref = upload(BUCKET, "huge/poster.png", TestImages.png(9));
    ObjectRef claimed =
        new ObjectRef(ref.bucket(), ref.key(), null, ref.eTag(), 1L << 40, ref.eventName(), null);
    Outcome o = captioner.caption(claimed);
    assertEquals(Outcome.Status.FAILED, o.status());
    assertEquals(0, s3.count(getObject("poster.png")));
  }

  @Test
  void objectOverwrittenSinceTheEventIsLeftToItsOwnEvent() {
    ObjectRef old = upload(BUCKET, "over/written.png", TestImages.png(10));
    Uploads.put(BUCKET, "over/written.png", TestImages.png(11), "image/png");
    Outcome o = captioner.caption(old);
    assertEquals(Outcome.Status.SKIPPED, o.status(), o.toString());
    assertEquals(0, Uploads.results(BUCKET, "over/written.png").size());
  }
}
