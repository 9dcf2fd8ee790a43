package io.aligncap.api.lambda;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aligncap.events.testing.Events;
import io.aligncap.events.testing.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.Random;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The REST API in the Lambda HTTP package, through Quarkus's mock event server: a verbatim API
 * Gateway HTTP API (payload 2.0) event with a base64 binary body, plain HTTP calls that the mock
 * server turns into such events, and the 413 for bodies over Lambda's payload ceiling.
 */
@QuarkusTest
class LambdaHttpApiTest {

  private static int mockPort() {
    return ConfigProvider.getConfig()
        .getValue("quarkus.lambda.mock-event-server.test-port", Integer.class);
  }

  @Test
  void apiGatewayV2EventWithBase64ImageIsCaptioned() {
    Response r =
        given()
            .port(mockPort())
            .contentType("application/json")
            .body(Events.fixture("apigw-v2-caption-png.json"))
            .post("/_lambda_");
    assertEquals(200, r.statusCode(), r.asString());
    JsonNode response = Events.parse(r.asString()); // the function's API Gateway v2 response
    assertEquals(200, response.get("statusCode").asInt(), response.toString());
    JsonNode body = Events.parse(response.get("body").asText());
    assertEquals(2, body.get("captions").size(), body.toString());
    assertEquals(64, body.get("image_width").asInt());
    assertTrue(body.at("/captions/0/log_prob").asDouble() <= 0);
  }

  /**
   * Issue 11: a binary body without a content-type header (with or without a content-length) is
   * sniffed, not refused with a generic 400.
   */
  @Test
  void binaryBodyWithoutAContentTypeIsSniffed() {
    for (String drop : new String[] {"content-type", "content-length"}) {
      ObjectNode event = (ObjectNode) Events.parse(Events.fixture("apigw-v2-caption-png.json"));
      ObjectNode headers = (ObjectNode) event.get("headers");
      headers.remove("content-type");
      headers.remove(drop);
      Response r =
          given()
              .port(mockPort())
              .contentType("application/json")
              .body(event.toString())
              .post("/_lambda_");
      assertEquals(200, r.statusCode(), r.asString());
      JsonNode response = Events.parse(r.asString());
      assertEquals(200, response.get("statusCode").asInt(), response.toString());
      assertEquals(2, Events.parse(response.get("body").asText()).get("captions").size());
    }
  }

  @Test
  void plainHttpBinaryUploadIsCaptioned() {
    Response r =
        given()
            .port(mockPort())
            .contentType("image/jpeg")
            .body(TestImages.jpeg(3))
            .post("/v1/captions?beam_size=1");
    assertEquals(200, r.statusCode(), r.asString());
    assertTrue(r.jsonPath().getString("captions[0].text").length() > 0, r.asString());
  }

  @Test
  void bodyOverTheLambdaPayloadCeilingGetsAClear413() {
    byte[] big = new byte[4_500_000];
    new Random(1).nextBytes(big);
    Response r = given().port(mockPort()).contentType("image/png").body(big).post("/v1/captions");
    assertEquals(413, r.statusCode(), r.asString());
    assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
    assertTrue(r.jsonPath().getString("detail").contains("6 MB"), r.asString());
    assertTrue(r.jsonPath().getString("detail").contains("S3"), r.asString());
  }

  @Test
  void modelsEndpointAnswers() {
    Response r = given().port(mockPort()).get("/v1/models");
    assertEquals(200, r.statusCode(), r.asString());
  }
}
