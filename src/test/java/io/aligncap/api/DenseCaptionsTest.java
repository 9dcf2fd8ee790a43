package io.aligncap.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aligncap.testing.TestModel;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Dense captions (models/FORMAT.md "Dense captions") through {@code /v1/captions?dense=true}, on a
 * copy of the package whose {@code regions.score_threshold} is set between two of the first golden
 * image's detection scores, so that a known number of detections pass whatever the model: exactly
 * those, best first, each with its box in pixels of the image and its score, never the whole image.
 * (The manifest is the one file of a package without a hash.)
 */
@QuarkusTest
@TestProfile(DenseCaptionsTest.Threshold.class)
class DenseCaptionsTest {

  static final JsonNode IMAGE = TestModel.golden().get("images").get(0);
  static final int DETECTIONS = TestModel.manifest().get("regions").get("detections").asInt();

  /** The detection scores of the first golden image, best first, as the graph gives them. */
  static List<Double> scores() {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < DETECTIONS; i++) {
      out.add(IMAGE.get("region_scores").get(i).asDouble());
    }
    return out;
  }

  /** The smallest k whose k-th and (k+1)-th scores are well apart (far beyond the tolerance). */
  static int expected() {
    List<Double> s = scores();
    for (int k = 1; k < s.size(); k++) {
      if (s.get(k - 1) - s.get(k) > 5e-4) {
        return k;
      }
    }
    throw new IllegalStateException("no two detection scores are apart: " + s);
  }

  public static class Threshold implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      try {
        Path dir = TestModel.copyTo(Files.createTempDirectory("aligncap-dense"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode m = (ObjectNode) json.readTree(dir.resolve("manifest.json").toFile());
        int k = expected();
        double threshold = (scores().get(k - 1) + scores().get(k)) / 2;
        ((ObjectNode) m.get("regions")).put("score_threshold", threshold);
        json.writeValue(dir.resolve("manifest.json").toFile(), m);
        return Map.of("aligncap.model.path", dir.toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Test
  void theSureDetectionsBestFirstWithBoxesScoresAndCaptions() {
    assumeRegionDecoder();
    JsonPath r =
        given()
            .contentType("image/png")
            .body(TestModel.goldenImage(IMAGE.get("file").asText()))
            .post("/v1/captions?beam_size=1&dense=true")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    int k = expected();
    List<Map<String, Object>> dense = r.getList("dense_captions");
    assertEquals(k, dense.size(), dense.toString());
    int w = IMAGE.get("width").asInt();
    int h = IMAGE.get("height").asInt();
    for (int i = 0; i < k; i++) {
      JsonNode box = IMAGE.get("region_boxes").get(i); // detections come best first
      List<Float> got = r.getList("dense_captions[" + i + "].box", Float.class);
      double[] want = {
        box.get(0).asDouble() * w, box.get(1).asDouble() * h,
        box.get(2).asDouble() * w, box.get(3).asDouble() * h
      };
      for (int c = 0; c < 4; c++) {
        assertEquals(want[c], got.get(c), 1e-3 * Math.max(w, h), "box " + i + " " + got);
      }
      assertEquals(scores().get(i), r.getDouble("dense_captions[" + i + "].score"), 1e-4);
      assertTrue(r.getList("dense_captions[" + i + "].caption.tokens").size() > 0);
    }
  }

  private static void assumeRegionDecoder() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        TestModel.manifest().has("region_decoder"), "the package has no region decoder");
  }
}
