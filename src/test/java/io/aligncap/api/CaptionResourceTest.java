package io.aligncap.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.aligncap.testing.Fixtures;
import io.aligncap.testing.Providers;
import io.aligncap.testing.TestModel;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class CaptionResourceTest {

  static final byte[] IMAGE = TestModel.sampleImage();
  static final JsonNode MANIFEST = TestModel.manifest();

  @Test
  void rawBodyGivesCaptionsWithModelProviderAndTimings() {
    JsonPath json =
        given()
            .contentType("image/png")
            .body(IMAGE)
            .when()
            .post("/v1/captions?beam_size=3&results=2")
            .then()
            .statusCode(200)
            .header(RequestIds.HEADER, notNullValue())
            .body("model_id", equalTo(MANIFEST.get("model_id").asText()))
            .body("model_version", equalTo(MANIFEST.get("model_version").asText()))
            .body("provider", equalTo(Providers.EXPECTED))
            .body("captions", hasSize(2))
            .body(
                "captions[0].words.size()",
                lessThanOrEqualTo(MANIFEST.get("decoder").get("max_length").asInt()))
            .body("captions[0].log_prob", notNullValue())
            .body("captions[0].text", notNullValue())
            .body("snippets.box", everyItem(hasSize(4)))
            .body("timings_ms", hasKey("decode"))
            .body("timings_ms", hasKey("image_encoder"))
            .body("timings_ms", hasKey("decoder"))
            .extract()
            .jsonPath();
    // the snippets partition the best caption's words
    List<String> words = new java.util.ArrayList<>();
    json.getList("snippets.words", List.class).forEach(words::addAll);
    assertEquals(json.getList("captions[0].words"), words);
  }

  @Test
  void multipartJsonAndRawAgree() {
    JsonPath raw =
        given()
            .contentType("image/png")
            .body(IMAGE)
            .post("/v1/captions?beam_size=2")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    JsonPath form =
        given()
            .multiPart("image", "scene.png", IMAGE, "image/png")
            .multiPart("beam_size", "2")
            .post("/v1/captions")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    JsonPath json =
        given()
            .contentType("application/json")
            .body(Map.of("image", Base64.getEncoder().encodeToString(IMAGE), "beam_size", 2))
            .post("/v1/captions")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertEquals(raw.getList("captions.tokens"), form.getList("captions.tokens"));
    assertEquals(raw.getList("captions.tokens"), json.getList("captions.tokens"));
    assertEquals(
        raw.getDouble("captions[0].log_prob"), json.getDouble("captions[0].log_prob"), 0.0);
  }

  @Test
  void regionCaptionsForBoxesInPixels() {
    JsonNode img = TestModel.golden().get("images").get(0);
    int w = img.get("width").asInt();
    int h = img.get("height").asInt();
    given()
        .contentType("application/json")
        .body(
            Map.of(
                "image",
                Base64.getEncoder().encodeToString(IMAGE),
                "beam_size",
                1,
                "regions",
                List.of(List.of(0, 0, w / 2, h / 2), List.of(w / 2, h / 2, w, h))))
        .post("/v1/captions")
        .then()
        .statusCode(200)
        .body("regions", hasSize(2))
        .body(
            "regions[1].box",
            equalTo(List.of((float) (w / 2), (float) (h / 2), (float) w, (float) h)))
        .body(
            "regions[0].caption.words.size()",
            lessThanOrEqualTo(MANIFEST.get("region_decoder").get("max_length").asInt()))
        .body("timings_ms", hasKey("region_decoder"));
    given()
        .contentType("image/png")
        .body(IMAGE)
        .post("/v1/captions?beam_size=1&regions=0,0,10,10&regions=5,5,20,30")
        .then()
        .statusCode(200)
        .body("regions", hasSize(2));
  }

  @Test
  void denseCaptionsOnRequestAsQueryFormOrJson() {
    double threshold = MANIFEST.get("regions").get("score_threshold").asDouble();
    JsonPath raw =
        given()
            .contentType("image/png")
            .body(IMAGE)
            .post("/v1/captions?beam_size=1&dense=true")
            .then()
            .statusCode(200)
            .body("dense_captions", notNullValue())
            .extract()
            .jsonPath();
    JsonPath form =
        given()
            .multiPart("image", "scene.png", IMAGE, "image/png")
            .multiPart("beam_size", "1")
            .multiPart("dense", "true")
            .post("/v1/captions")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    JsonPath json =
        given()
            .contentType("application/json")
            .body(
                Map.of(
                    "image",
                    Base64.getEncoder().encodeToString(IMAGE),
                    "beam_size",
                    1,
                    "dense",
                    true))
            .post("/v1/captions")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    List<Float> scores = raw.getList("dense_captions.score", Float.class);
    scores.forEach(x -> assertTrue(x >= threshold, "score " + x + " below " + threshold));
    assertEquals(raw.getList("dense_captions"), form.getList("dense_captions"));
    assertEquals(raw.getList("dense_captions"), json.getList("dense_captions"));
    // not asked: not there
    given()
        .contentType("image/png")
        .body(IMAGE)
        .post("/v1/captions?beam_size=1&dense=false")
        .then()
        .statusCode(200)
        .body("$", not(hasKey("dense_captions")));
  }

  @Test
  void badOptionsAre422Problems() {
    for (String query :
        List.of(
            "beam_size=0",
            "beam_size=11",
            "beam_size=abc",
            "results=4&beam_size=3",
            "max_length=0",
            "length_normalization=-1",
            "regions=1,2,3",
            "regions=10,10,5,5",
            "dense=yes")) {
      given()
          .contentType("image/png")
          .body(IMAGE)
          .post("/v1/captions?" + query)
          .then()
          .statusCode(422)
          .contentType(Problem.MEDIA_TYPE)
          .body("status", equalTo(422))
          .body("title", equalTo("Invalid options"))
          .body("request_id", notNullValue());
    }
  }

  @Test
  void badImagesAre4xxProblemsNeverServerErrors() throws Exception {
    byte[] jpeg = Fixtures.image("baseline.jpg");
    byte[] truncated = java.util.Arrays.copyOf(jpeg, jpeg.length / 2);
    expectProblem("image/jpeg", truncated, 400);
    expectProblem("image/jpeg", "not an image".getBytes(), 400);
    expectProblem("image/png", new byte[0], 400);
    expectProblem("image/png", io.aligncap.testing.PngBomb.create(65536, 65536), 413);
    expectProblem("text/plain", "hello".getBytes(), 415);
    expectProblem("image/tiff", new byte[] {'I', 'I', 42, 0, 8, 0, 0, 0}, 415);
    given()
        .contentType("application/json")
        .body("{\"image\": \"%%%not base64\"}")
        .post("/v1/captions")
        .then()
        .statusCode(400)
        .contentType(Problem.MEDIA_TYPE);
    given()
        .contentType("application/json")
        .body("{\"image\": ")
        .post("/v1/captions")
        .then()
        .statusCode(400)
        .contentType(Problem.MEDIA_TYPE);
    given()
        .contentType("application/json")
        .body("{}")
        .post("/v1/captions")
        .then()
        .statusCode(400)
        .contentType(Problem.MEDIA_TYPE);
    given()
        .multiPart("beam_size", "2")
        .post("/v1/captions")
        .then()
        .statusCode(400)
        .contentType(Problem.MEDIA_TYPE);
  }

  @Test
  void clientRequestIdIsEchoed() {
    given()
        .header(RequestIds.HEADER, "abc-123")
        .contentType("text/plain")
        .body("x")
        .post("/v1/captions")
        .then()
        .statusCode(415)
        .header(RequestIds.HEADER, "abc-123")
        .body("request_id", equalTo("abc-123"));
  }

  static void expectProblem(String type, byte[] body, int status) {
    given()
        .contentType(type)
        .body(body)
        .post("/v1/captions")
        .then()
        .statusCode(status)
        .contentType(Problem.MEDIA_TYPE)
        .body("status", equalTo(status))
        .body("type", notNullValue())
        .body("detail", notNullValue())
        .body("instance", equalTo("/v1/captions"));
  }
}
