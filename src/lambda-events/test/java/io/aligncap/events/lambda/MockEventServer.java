package io.aligncap.events.lambda;

import static io.restassured.RestAssured.given;

import io.restassured.response.Response;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Invokes the function under test through Quarkus's mock Lambda event server: the raw event JSON is
 * POSTed to {@code /_lambda_} and the function's answer comes back as the response body.
 */
final class MockEventServer {

  private MockEventServer() {}

  static int port() {
    return ConfigProvider.getConfig()
        .getValue("quarkus.lambda.mock-event-server.test-port", Integer.class);
  }

  static Response invoke(String eventJson) {
    return given()
        .port(port())
        .contentType("application/json")
        .body(eventJson)
        .when()
        .post("/_lambda_");
  }
}
