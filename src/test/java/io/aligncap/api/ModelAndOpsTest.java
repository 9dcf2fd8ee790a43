package io.aligncap.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import com.fasterxml.jackson.databind.JsonNode;
import io.aligncap.testing.TestModel;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/models}, health, metrics and OpenAPI. */
@QuarkusTest
class ModelAndOpsTest {

  @Test
  void modelsShowsTheManifestFiguresAndProvider() {
    JsonNode m = TestModel.manifest();
    given().get("/v1/models").then().statusCode(200)
        .body("models", hasSize(1))
        .body("models[0].model_id", equalTo(m.get("model_id").asText()))
        .body("models[0].model_version", equalTo(m.get("model_version").asText()))
        .body("models[0].vocabulary_size", equalTo(m.get("vocabulary").get("size").asInt()))
        .body("models[0].regions", equalTo(m.get("regions").get("count").asInt()))
        .body("models[0].provider", equalTo("cpu"))
        .body("models[0].ready", equalTo(true));
  }

  @Test
  void healthEndpointsAreUp() {
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
        .body("checks.find { it.name == 'model' }.data.provider", equalTo("cpu"));
    given().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void metricsHaveRequestHistogramsAndStageTimers() {
    given().contentType("image/png").body(TestModel.sampleImage()).post("/v1/captions?beam_size=1")
        .then().statusCode(200);
    given().get("/q/metrics").then().statusCode(200)
        .body(containsString("http_server_requests_seconds_bucket"))
        .body(containsString("aligncap_inference_seconds_count{stage=\"image_encoder\""))
        .body(containsString("aligncap_inference_seconds_bucket{stage=\"decoder\""));
  }

  @Test
  void openApiDocumentsTheApiWithExamples() {
    given().get("/q/openapi?format=json").then().statusCode(200)
        .body(containsString("/v1/captions"))
        .body(containsString("/v1/alignments"))
        .body(containsString("/v1/rankings"))
        .body(containsString("/v1/models"))
        .body(containsString("a dog on the grass"));
  }
}
