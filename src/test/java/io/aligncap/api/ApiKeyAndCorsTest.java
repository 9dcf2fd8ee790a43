package io.aligncap.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The optional API key and configurable CORS. */
@QuarkusTest
@TestProfile(ApiKeyAndCorsTest.Secured.class)
class ApiKeyAndCorsTest {

  static final String KEY = "s3cret-key";
  static final String ORIGIN = "https://app.example.com";

  public static class Secured implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "aligncap.api.key", KEY,
          "quarkus.http.cors.enabled", "true",
          "quarkus.http.cors.origins", ORIGIN);
    }
  }

  @Test
  void keyIsRequiredOnTheApiButNotOnProbes() {
    given()
        .get("/v1/models")
        .then()
        .statusCode(401)
        .contentType(Problem.MEDIA_TYPE)
        .body("title", equalTo("Unauthorized"));
    given().header("X-API-Key", "wrong").get("/v1/models").then().statusCode(401);
    given().header("X-API-Key", KEY).get("/v1/models").then().statusCode(200);
    given().get("/q/health/ready").then().statusCode(200);
  }

  @Test
  void corsAllowsTheConfiguredOrigin() {
    given()
        .header("Origin", ORIGIN)
        .header("Access-Control-Request-Method", "POST")
        .options("/v1/captions")
        .then()
        .statusCode(200)
        .header("Access-Control-Allow-Origin", ORIGIN);
  }
}
