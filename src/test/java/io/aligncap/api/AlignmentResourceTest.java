package io.aligncap.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.aligncap.testing.TestModel;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AlignmentResourceTest {

  static final byte[] IMAGE = TestModel.sampleImage();
  static final String BASE64 = Base64.getEncoder().encodeToString(IMAGE);
  static final JsonNode MANIFEST = TestModel.manifest();

  @Test
  void alignsEveryWordWithARegionAndBox() {
    given()
        .contentType("application/json")
        .body(Map.of("image", BASE64, "sentence", "A cat and a DOG!"))
        .post("/v1/alignments")
        .then()
        .statusCode(200)
        .body("sentence", equalTo("A cat and a DOG!"))
        .body("score", notNullValue())
        .body("words", hasSize(5))
        .body("words[4].word", equalTo("dog"))
        .body("words.box", everyItem(hasSize(4)))
        .body("words.score", everyItem(notNullValue()))
        .body("words.strength", everyItem(notNullValue()))
        .body("snippets", not(hasSize(0)))
        .body("snippets.score", everyItem(notNullValue()))
        .body("beta", equalTo((float) MANIFEST.get("alignment").get("mrf_beta").asDouble()))
        .body("timings_ms", hasKey("sentence_encoder"));
  }

  /** β per request as a query parameter, form field or JSON property; echoed as {@code beta}. */
  @Test
  void betaPerRequestInEveryShape() {
    String sentence = "a big dog and a small cat on the grass near two houses";
    double max = ConfigProvider.getConfig().getValue("aligncap.alignment.max-beta", Double.class);
    JsonPath none =
        given()
            .contentType("image/png")
            .body(IMAGE)
            .queryParam("sentence", sentence)
            .queryParam("beta", "0")
            .post("/v1/alignments")
            .then()
            .statusCode(200)
            .body("beta", equalTo(0f))
            .extract()
            .jsonPath();
    JsonPath strong =
        given()
            .multiPart("image", "scene.png", IMAGE, "image/png")
            .multiPart("sentence", sentence)
            .multiPart("beta", String.valueOf(max))
            .post("/v1/alignments")
            .then()
            .statusCode(200)
            .body("beta", equalTo((float) max))
            .extract()
            .jsonPath();
    given()
        .contentType("application/json")
        .body(Map.of("image", BASE64, "sentence", sentence, "beta", 0.0))
        .post("/v1/alignments")
        .then()
        .statusCode(200)
        .body("beta", equalTo(0f))
        .body("snippets", equalTo(none.getList("snippets")));
    // β = 0 is each word's own region; a larger β never splits a sentence into more snippets
    assertEquals(none.getList("words.region"), snippetRegionsPerWord(none));
    assertTrue(
        strong.getList("snippets").size() <= none.getList("snippets").size(),
        strong.getList("snippets") + " vs " + none.getList("snippets"));
    for (String beta : List.of("-0.5", String.valueOf(max + 1), "abc", "NaN")) {
      given()
          .contentType("image/png")
          .body(IMAGE)
          .queryParam("sentence", "a dog")
          .queryParam("beta", beta)
          .post("/v1/alignments")
          .then()
          .statusCode(422)
          .contentType(Problem.MEDIA_TYPE);
    }
  }

  private static List<Integer> snippetRegionsPerWord(JsonPath a) {
    List<Integer> out = new ArrayList<>();
    for (Map<String, Object> s : a.<Map<String, Object>>getList("snippets")) {
      for (int j = (Integer) s.get("start"); j < (Integer) s.get("end"); j++) {
        out.add((Integer) s.get("region"));
      }
    }
    return out;
  }

  @Test
  void multipartAndRawBodyWork() {
    given()
        .multiPart("image", "scene.png", IMAGE, "image/png")
        .multiPart("sentence", "a dog")
        .post("/v1/alignments")
        .then()
        .statusCode(200)
        .body("words", hasSize(2));
    given()
        .contentType("image/png")
        .body(IMAGE)
        .queryParam("sentence", "a dog")
        .post("/v1/alignments")
        .then()
        .statusCode(200)
        .body("words", hasSize(2));
  }

  @Test
  void emptyOrMissingSentenceIs422() {
    given()
        .contentType("application/json")
        .body(Map.of("image", BASE64, "sentence", "!!!"))
        .post("/v1/alignments")
        .then()
        .statusCode(422)
        .contentType(Problem.MEDIA_TYPE);
    given()
        .contentType("application/json")
        .body(Map.of("image", BASE64))
        .post("/v1/alignments")
        .then()
        .statusCode(422)
        .contentType(Problem.MEDIA_TYPE);
    given()
        .contentType("application/json")
        .body(Map.of("image", BASE64, "sentence", "a ".repeat(500)))
        .post("/v1/alignments")
        .then()
        .statusCode(422)
        .contentType(Problem.MEDIA_TYPE);
  }
}
