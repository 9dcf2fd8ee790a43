package io.aligncap.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.aligncap.testing.Providers;
import io.aligncap.testing.TestModel;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/models}, health, metrics and OpenAPI. */
@QuarkusTest
class ModelAndOpsTest {

  @Test
  void modelsShowsTheManifestFiguresAndProvider() {
    JsonNode m = TestModel.manifest();
    given()
        .get("/v1/models")
        .then()
        .statusCode(200)
        .body("models", hasSize(1))
        .body("models[0].model_id", equalTo(m.get("model_id").asText()))
        .body("models[0].model_version", equalTo(m.get("model_version").asText()))
        .body("models[0].vocabulary_size", equalTo(m.get("vocabulary").get("size").asInt()))
        .body("models[0].regions", equalTo(m.get("regions").get("count").asInt()))
        .body("models[0].detections", equalTo(m.get("regions").get("detections").asInt()))
        .body(
            "models[0].capabilities.region_captions",
            equalTo(m.has("region_decoder") && m.get("graphs").has("region_decoder")))
        .body("models[0].capabilities.dense_captions", equalTo(m.has("region_decoder")))
        .body("models[0].format_version", equalTo("2"))
        .body("models[0].provider", equalTo(Providers.EXPECTED))
        .body("models[0].ready", equalTo(true));
  }

  /**
   * Issue 15: one operation per request shape with an id, every error answer documented as a
   * problem with an example and the request id header, the image types listed, the API key scheme,
   * and no Jackson internals. (Schemathesis checks the answers against it:
   * .ci/steps/27-contract.sh.)
   */
  @Test
  void openApiIsAContractAGeneratedClientCanUse() {
    JsonPath doc =
        JsonPath.from(
            given().get("/q/openapi?format=json").then().statusCode(200).extract().asString());
    for (String path : List.of("/v1/captions", "/v1/alignments", "/v1/rankings")) {
      for (String shape : List.of("", "/form", "/image")) {
        String op = "paths.'" + path + shape + "'.post";
        assertTrue(doc.getString(op + ".operationId").matches("(caption|align|rank)\\w+"), op);
        for (String status : List.of("400", "401", "406", "408", "413", "414", "415", "422")) {
          String media = op + ".responses.'" + status + "'.content.'application/problem+json'";
          assertEquals("#/components/schemas/Problem", doc.getString(media + ".schema.$ref"));
          assertTrue(doc.getMap(media + ".examples").size() > 0, media);
        }
        assertEquals(
            "#/components/headers/X-Request-Id",
            doc.getString(op + ".responses.'200'.headers.X-Request-Id.$ref"));
        assertTrue(
            doc.getMap(op + ".responses.'503'.headers").containsKey("Retry-After"), op + " 503");
      }
      assertTrue(
          doc.getMap("paths.'" + path + "/image'.post.requestBody.content")
              .keySet()
              .containsAll(List.of("image/jpeg", "image/png", "image/webp", "image/gif")));
    }
    assertEquals("apiKey", doc.getString("components.securitySchemes.apiKey.type"));
    assertEquals("X-API-Key", doc.getString("components.securitySchemes.apiKey.name"));
    assertFalse(doc.getMap("components.schemas").containsKey("JsonNode"));
    assertTrue(doc.getList("components.schemas.CaptionResult.required").contains("captions"));
  }

  /** Issue 11: the package's source kind, not the server's file system. */
  @Test
  void modelsShowTheSourceKindNotThePath() {
    String body = given().get("/v1/models").then().statusCode(200).extract().asString();
    assertEquals(
        "directory", JsonPath.from(body).getString("models[0].source"), "a package directory");
    String dir = TestModel.DIR.toAbsolutePath().normalize().toString();
    assertFalse(body.contains(dir), body);
  }

  @Test
  void healthEndpointsAreUp() {
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.find { it.name == 'model' }.data.provider", equalTo(Providers.EXPECTED));
    given().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void metricsHaveRequestHistogramsAndStageTimers() {
    given()
        .contentType("image/png")
        .body(TestModel.sampleImage())
        .post("/v1/captions?beam_size=1")
        .then()
        .statusCode(200);
    given()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("http_server_requests_seconds_bucket"))
        .body(containsString("aligncap_inference_seconds_count{stage=\"image_encoder\""))
        .body(containsString("aligncap_inference_seconds_bucket{stage=\"decoder\""));
  }

  @Test
  void openApiDocumentsTheApiWithExamples() {
    given()
        .get("/q/openapi?format=json")
        .then()
        .statusCode(200)
        .body(containsString("/v1/captions"))
        .body(containsString("/v1/alignments"))
        .body(containsString("/v1/rankings"))
        .body(containsString("/v1/models"))
        .body(containsString("a dog on the grass"));
  }

  @Test
  void openApiStatesTheConfiguredBounds() {
    Config config = ConfigProvider.getConfig();
    int maxBeam = config.getValue("aligncap.decoding.max-beam-size", Integer.class);
    int maxCandidates = config.getValue("aligncap.alignment.max-candidates", Integer.class);
    String json = given().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
    JsonPath doc = JsonPath.from(json);
    assertEquals(
        maxBeam, doc.getInt("components.schemas.CaptionRequest.properties.beam_size.maximum"));
    assertEquals(
        maxCandidates,
        doc.getInt("components.schemas.RankingRequest.properties.candidates.maxItems"));
    assertEquals(
        maxBeam,
        doc.getInt(
            "paths.'/v1/captions/image'.post.parameters.find { it.name == 'beam_size' }"
                + ".schema.maximum"));
    assertEquals(
        maxBeam, doc.getInt("components.schemas.CaptionForm.properties.beam_size.maximum"));
    // β on /v1/alignments, as a query parameter and in the JSON body, bounded by one key
    double maxBeta = config.getValue("aligncap.alignment.max-beta", Double.class);
    assertEquals(
        maxBeta,
        doc.getDouble(
            "paths.'/v1/alignments/image'.post.parameters.find { it.name == 'beta' }"
                + ".schema.maximum"));
    assertEquals(
        maxBeta, doc.getDouble("components.schemas.AlignmentRequest.properties.beta.maximum"));
    assertEquals(0.0, doc.getDouble("components.schemas.AlignmentRequest.properties.beta.minimum"));
    assertEquals(
        "boolean", doc.getString("components.schemas.CaptionRequest.properties.dense.type"));
  }
}
