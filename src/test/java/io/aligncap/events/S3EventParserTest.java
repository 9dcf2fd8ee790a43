package io.aligncap.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aligncap.events.testing.Events;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Every shape AWS sends, from the checked-in fixtures, through the one parser. */
class S3EventParserTest {

  @Test
  void rawNotificationWithFormEncodedKeyAndNoVersion() {
    S3EventParser.Parsed p = S3EventParser.parse(Events.fixture("s3-put.json"));
    assertEquals(1, p.objects().size());
    ObjectRef ref = p.objects().get(0);
    assertEquals("photos", ref.bucket());
    // '+' is a space, %2B a plus, %20 a space, %28/%29 parentheses
    assertEquals("uploads/red flower+(2) copy.jpg", ref.key());
    assertNull(ref.versionId());
    assertEquals("d41d8cd98f00b204e9800998ecf8427e", ref.eTag());
    assertEquals(1024L, ref.size());
    assertEquals("ObjectCreated:Put", ref.eventName());
    assertEquals(Instant.parse("2026-11-27T12:00:00Z"), ref.eventTime());
  }

  @Test
  void versionedMultipartEventWithUnknownFields() {
    ObjectRef ref = S3EventParser.parse(Events.fixture("s3-put-versioned.json")).objects().get(0);
    assertEquals("096fKKXTRTtl3on89fVO.nfljtsv6qko", ref.versionId());
    assertEquals("9b2cf535f27731c974343645a3985328-2", ref.eTag());
    assertEquals("ObjectCreated:CompleteMultipartUpload", ref.eventName());
  }

  @Test
  void testEventIsAcknowledgedAndSkipped() {
    S3EventParser.Parsed p = S3EventParser.parse(Events.fixture("s3-test-event.json"));
    assertTrue(p.objects().isEmpty());
    assertTrue(p.ignored().get(0).contains("s3:TestEvent"), p.ignored().toString());
  }

  @Test
  void removedObjectsAreSkipped() {
    S3EventParser.Parsed p = S3EventParser.parse(Events.fixture("s3-removed.json"));
    assertTrue(p.objects().isEmpty());
    assertTrue(p.ignored().get(0).startsWith("ObjectRemoved:Delete"), p.ignored().toString());
  }

  @Test
  void snsEnvelope() {
    ObjectRef ref = S3EventParser.parse(Events.fixture("sns-s3-put.json")).objects().get(0);
    assertEquals("uploads/red flower+(2) copy.jpg", ref.key());
  }

  @Test
  void eventBridgeCreatedAndDeleted() {
    ObjectRef ref =
        S3EventParser.parse(Events.fixture("eventbridge-object-created.json")).objects().get(0);
    assertEquals("photos", ref.bucket());
    assertEquals("uploads/beach day.png", ref.key());
    assertEquals("IYV3p45BT0ac8hjHg1houSdS1a.Mro8e", ref.versionId());
    assertEquals(5L, ref.size());
    S3EventParser.Parsed deleted =
        S3EventParser.parse(Events.fixture("eventbridge-object-deleted.json"));
    assertTrue(deleted.objects().isEmpty());
    assertEquals(1, deleted.ignored().size());
  }

  /**
   * Issue 11: the SDK's own decoding throws IllegalArgumentException, which escaped the handlers.
   */
  @Test
  void aKeyWithAnInvalidPercentEscapeIsAMalformedEvent() {
    String json =
        Events.s3Put("photos", "placeholder.jpg", "\"abc\"", 3, null)
            .replace("placeholder.jpg", "100%.jpg");
    MalformedEventException e =
        assertThrows(MalformedEventException.class, () -> S3EventParser.parse(json));
    assertTrue(e.getMessage().contains("100%.jpg"), e.getMessage());
  }

  @Test
  void nullVersionIdIsNoVersion() {
    String json =
        Events.s3Put("photos", "a.png", "\"abc\"", 3, null)
            .replace("\"eTag\"", "\"versionId\":null,\"eTag\"");
    ObjectRef ref = S3EventParser.parse(json).objects().get(0);
    assertNull(ref.versionId());
    assertEquals("abc", ref.eTag());
  }

  @Test
  void otherEventVersionsAndSourcesAreIgnoredNotCrashed() {
    String v3 = Events.fixture("s3-put.json").replace("\"2.1\"", "\"3.0\"");
    assertTrue(S3EventParser.parse(v3).objects().isEmpty());
    String sqsRecords = Events.sqsEvent("{}");
    assertTrue(S3EventParser.parse(sqsRecords).objects().isEmpty());
  }

  @Test
  void bodiesThatAreNotS3EventsAreMalformed() {
    assertThrows(MalformedEventException.class, () -> S3EventParser.parse("not json at all"));
    assertThrows(MalformedEventException.class, () -> S3EventParser.parse("[1, 2]"));
    assertThrows(MalformedEventException.class, () -> S3EventParser.parse("{\"hello\":1}"));
    assertThrows(MalformedEventException.class, () -> S3EventParser.parse(""));
    assertThrows(
        MalformedEventException.class,
        () -> S3EventParser.parse("{\"Type\":\"Notification\",\"Message\":\"plain text\"}"));
  }

  @Test
  void decodesKeysLikeS3Encodes() {
    assertEquals("a b+c/d é.jpg", S3EventParser.decodeKey("a+b%2Bc/d%20%C3%A9.jpg"));
    assertThrows(MalformedEventException.class, () -> S3EventParser.decodeKey("bad%zz"));
  }
}
