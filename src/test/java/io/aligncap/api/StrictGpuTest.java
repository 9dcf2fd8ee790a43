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

/**
 * Strict GPU mode on a machine without CUDA (this one; the CPU-only ONNX Runtime jar refuses
 * the CUDA provider): the service starts, but readiness stays down and requests get 503.
 */
@QuarkusTest
@TestProfile(StrictGpuTest.StrictGpu.class)
class StrictGpuTest {

  public static class StrictGpu implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("aligncap.inference.providers", "cuda,cpu", "aligncap.inference.require-gpu", "true");
    }
  }

  @Test
  void notReadyAndRefusesWork() {
    given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"))
        .body("checks[0].data.reason", containsString("require-gpu"));
    given().get("/q/health/live").then().statusCode(200);
    given().contentType("image/png").body(TestModel.sampleImage()).post("/v1/captions")
        .then().statusCode(503).contentType(Problem.MEDIA_TYPE).body("title", equalTo("Not ready"));
  }
}
