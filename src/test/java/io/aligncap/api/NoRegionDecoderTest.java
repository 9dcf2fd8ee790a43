package io.aligncap.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import io.aligncap.testing.TestModel;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A package trained without region captions (models/FORMAT.md: no region_decoder): it loads and
 * captions, {@code /v1/models} says what it cannot do, an explicit {@code regions=} request is a
 * 422 that says why, and {@code dense=true} just gets no {@code dense_captions} (the web page
 * always asks).
 */
@QuarkusTest
@TestProfile(NoRegionDecoderTest.WithoutRegionDecoder.class)
class NoRegionDecoderTest {

  public static class WithoutRegionDecoder implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      try {
        Path dir = Files.createTempDirectory("aligncap-no-region-decoder");
        dir.toFile().deleteOnExit();
        return Map.of("aligncap.model.path", TestModel.withoutRegionDecoder(dir).toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static final byte[] IMAGE = TestModel.sampleImage();

  @Test
  void modelsSaysRegionCaptionsAreNotAvailable() {
    given()
        .get("/v1/models")
        .then()
        .statusCode(200)
        .body("models[0].ready", equalTo(true))
        .body("models[0].capabilities.region_captions", equalTo(false))
        .body("models[0].capabilities.dense_captions", equalTo(false))
        .body("models[0].region_decoder", equalTo(null))
        .body("models[0].detector", notNullValue());
  }

  @Test
  void regionsAre422DenseIsLeftOut() {
    given()
        .contentType("image/png")
        .body(IMAGE)
        .post("/v1/captions?beam_size=1&regions=0,0,10,10")
        .then()
        .statusCode(422)
        .contentType(Problem.MEDIA_TYPE)
        .body("detail", containsString("no region decoder"));
    given()
        .contentType("image/png")
        .body(IMAGE)
        .post("/v1/captions?beam_size=1&dense=true")
        .then()
        .statusCode(200)
        .body("captions[0].text", notNullValue())
        .body("$", not(hasKey("dense_captions")));
    given()
        .contentType("image/png")
        .body(IMAGE)
        .queryParam("sentence", "a dog on the grass")
        .post("/v1/alignments")
        .then()
        .statusCode(200)
        .body("snippets.box", notNullValue());
  }
}
