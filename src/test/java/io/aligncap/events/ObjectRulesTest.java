package io.aligncap.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ObjectRulesTest {

  private static final List<String> IMAGES = List.of(".jpg", ".png");

  private static ObjectRules rules(String inPrefix, String outBucket, String outPrefix) {
    return new ObjectRules(
        Optional.ofNullable(inPrefix), IMAGES, Optional.ofNullable(outBucket), outPrefix, 100);
  }

  private static ObjectRef ref(String key, String version, String eTag) {
    return new ObjectRef("photos", key, version, eTag, 10L, "ObjectCreated:Put", null);
  }

  @Test
  void resultKeyIsDerivedFromVersionOrEtagAndModel() {
    ObjectRules r = rules(null, null, "captions/");
    assertEquals(
        "captions/photos/a b.JPG/scenes-v1@1.0.0/v-3HL4kq.json",
        r.resultKey(ref("a b.JPG", "3HL4kq", "e1"), "scenes-v1", "1.0.0"));
    assertEquals(
        "captions/photos/a b.JPG/scenes-v1@1.0.0/e-e1.json",
        r.resultKey(ref("a b.JPG", null, "\"e1\""), "scenes-v1", "1.0.0"));
    assertEquals(
        r.resultKey(ref("x.png", null, "e1"), "m", "1"),
        r.resultKey(ref("x.png", null, "e1"), "m", "1"));
    assertThrows(
        IllegalArgumentException.class, () -> r.resultKey(ref("x.png", null, null), "m", "1"));
  }

  @Test
  void keysNearTheLimitAreHashed() {
    String longKey = "d/".repeat(500) + "x.png";
    String key = rules(null, null, "captions/").resultKey(ref(longKey, null, "e"), "m", "1");
    assertTrue(key.getBytes(StandardCharsets.UTF_8).length <= ObjectRules.MAX_KEY_BYTES, key);
    assertTrue(key.startsWith("captions/photos/sha256-"), key);
  }

  @Test
  void skipsResultsOtherPrefixesAndNonImages() {
    ObjectRules r = rules("uploads/", null, "captions/");
    assertTrue(r.skipReason(ref("captions/photos/x.png/m@1/e-1.json", null, "e")).isPresent());
    assertTrue(r.skipReason(ref("elsewhere/x.png", null, "e")).isPresent());
    assertTrue(r.skipReason(ref("uploads/notes.txt", null, "e")).isPresent());
    assertFalse(r.skipReason(ref("uploads/CAT.PNG", null, "e")).isPresent());
  }

  @Test
  void withASeparateOutputBucketNothingInTheSourceIsAResult() {
    ObjectRules r = rules(null, "results", "");
    assertFalse(r.skipReason(ref("captions/x.png", null, "e")).isPresent());
    assertEquals("results", r.outputBucket(ref("x.png", null, "e")));
  }

  @Test
  void refusesConfigurationsWhoseResultsWouldRetrigger() {
    assertThrows(IllegalArgumentException.class, () -> rules(null, null, ""));
    assertThrows(
        IllegalArgumentException.class, () -> rules("uploads/", null, "uploads/captions/"));
    assertThrows(IllegalArgumentException.class, () -> rules("captions/in/", null, "captions/"));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new ObjectRules(Optional.empty(), List.of(".png", ".json"), Optional.empty(), "c/", 1));
    rules("uploads/", null, "captions/"); // disjoint: fine
  }

  @Test
  void sizeLimit() {
    ObjectRules r = rules(null, null, "captions/");
    assertTrue(r.tooLarge(101L));
    assertFalse(r.tooLarge(100L));
    assertFalse(r.tooLarge(null));
  }
}
