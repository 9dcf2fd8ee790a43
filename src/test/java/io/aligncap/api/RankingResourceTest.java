package io.aligncap.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.aligncap.events.testing.Events;
import io.aligncap.testing.TestModel;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class RankingResourceTest {

  static final byte[] IMAGE = TestModel.sampleImage();
  static final String BASE64 = Base64.getEncoder().encodeToString(IMAGE);

  @Test
  void sortsCandidatesByScoreAndMatchesAlignments() {
    JsonNode first = TestModel.golden().get("images").get(0);
    List<String> candidates = new ArrayList<>();
    first.get("sentences").forEach(s -> candidates.add(s.get("raw").asText()));
    JsonNode ranked =
        Events.parse(
            given()
                .contentType("application/json")
                .body(Map.of("image", BASE64, "candidates", candidates))
                .post("/v1/rankings")
                .then()
                .statusCode(200)
                .body("rankings", hasSize(candidates.size()))
                .extract()
                .asString());
    List<Double> scores = new ArrayList<>();
    ranked.get("rankings").forEach(r -> scores.add(r.get("score").asDouble()));
    List<Double> sorted = new ArrayList<>(scores);
    sorted.sort(Collections.reverseOrder());
    assertEquals(sorted, scores);
    // each score is the alignment's S_kl for that sentence, to the last bit (issue 11: one
    // scoring path), and the ranking reports the image's size as the alignment does
    for (int i = 0; i < candidates.size(); i++) {
      int index = ranked.at("/rankings/" + i + "/index").asInt();
      JsonNode alignment =
          Events.parse(
              given()
                  .contentType("application/json")
                  .body(Map.of("image", BASE64, "sentence", candidates.get(index)))
                  .post("/v1/alignments")
                  .then()
                  .statusCode(200)
                  .extract()
                  .asString());
      assertEquals(alignment.get("score").asDouble(), scores.get(i), 0.0, candidates.get(index));
      assertEquals(alignment.get("image_width").asInt(), ranked.get("image_width").asInt());
      assertEquals(alignment.get("image_height").asInt(), ranked.get("image_height").asInt());
    }
  }

  @Test
  void multipartAndRawBodyWork() {
    given()
        .multiPart("image", "scene.png", IMAGE, "image/png")
        .multiPart("candidates", "a dog")
        .multiPart("candidates", "a red car")
        .post("/v1/rankings")
        .then()
        .statusCode(200)
        .body("rankings", hasSize(2));
    given()
        .contentType("image/png")
        .body(IMAGE)
        .queryParam("candidates", "a dog", "a cat", "a tree")
        .post("/v1/rankings")
        .then()
        .statusCode(200)
        .body("rankings", hasSize(3));
  }

  @Test
  void candidateLimitsAre422() {
    given()
        .contentType("application/json")
        .body(Map.of("image", BASE64, "candidates", List.of()))
        .post("/v1/rankings")
        .then()
        .statusCode(422)
        .body("status", equalTo(422));
    given()
        .contentType("application/json")
        .body(Map.of("image", BASE64, "candidates", Collections.nCopies(101, "a dog")))
        .post("/v1/rankings")
        .then()
        .statusCode(422)
        .contentType(Problem.MEDIA_TYPE);
    given()
        .contentType("application/json")
        .body(Map.of("image", BASE64, "candidates", List.of("a dog", "?")))
        .post("/v1/rankings")
        .then()
        .statusCode(422)
        .body("detail", org.hamcrest.Matchers.containsString("candidates[1]"));
    assertTrue(true);
  }
}
