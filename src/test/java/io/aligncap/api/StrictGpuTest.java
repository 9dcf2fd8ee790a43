package io.aligncap.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.aligncap.testing.TestModel;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Strict GPU mode. Without CUDA (the CPU-only ONNX Runtime jar refuses the CUDA provider) the
 * service starts, but readiness stays down and requests get 503; under {@code -Pgpu} (USE_CUDA=1)
 * it is ready on CUDA and serves.
 */
@QuarkusTest
@TestProfile(StrictGpuTest.StrictGpu.class)
class StrictGpuTest {

  public static class StrictGpu implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "aligncap.inference.providers", "cuda,cpu", "aligncap.inference.require-gpu", "true");
    }
  }

  @Test
  @DisabledIfSystemProperty(named = "USE_CUDA", matches = "1")
  void withoutAGpuNotReadyAndRefusesWork() {
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(503)
        .body("status", equalTo("DOWN"))
        .body("checks[0].data.reason", containsString("require-gpu"));
    given().get("/q/health/live").then().statusCode(200);
    given()
        .contentType("image/png")
        .body(TestModel.sampleImage())
        .post("/v1/captions")
        .then()
        .statusCode(503)
        .contentType(Problem.MEDIA_TYPE)
        .body("title", equalTo("Not ready"));
  }

  @Test
  @EnabledIfSystemProperty(named = "USE_CUDA", matches = "1")
  void withAGpuReadyOnCuda() {
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("checks[0].data.provider", equalTo("cuda"));
    given()
        .contentType("image/png")
        .body(TestModel.sampleImage())
        .post("/v1/captions")
        .then()
        .statusCode(200)
        .body("provider", equalTo("cuda"));
  }
}
