package io.aligncap.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import io.aligncap.testing.TestModel;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AlignmentResourceTest {

  static final byte[] IMAGE = TestModel.sampleImage();
  static final String BASE64 = Base64.getEncoder().encodeToString(IMAGE);

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
        .body("snippets", not(hasSize(0)))
        .body("timings_ms", hasKey("sentence_encoder"));
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
