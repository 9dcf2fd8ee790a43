package io.aligncap.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aligncap.testing.RawHttp;
import io.aligncap.testing.RawHttp.Part;
import io.aligncap.testing.TestModel;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Issues 11 and 15: hostile and malformed requests, each posted to every endpoint, get the 4xx
 * their input deserves as an RFC 9457 problem with a detail and the request id, never a 500, an
 * empty body or a framework's generic text. One row per input.
 */
@QuarkusTest
class HostileInputTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] TEXT = "this is not an image".getBytes(StandardCharsets.UTF_8);
  private static final byte[] IMAGE = TestModel.sampleImage();

  @TestHTTPResource("/")
  URI base;

  /** Each endpoint with the fields that make a request valid apart from what a row breaks. */
  enum Endpoint {
    CAPTIONS("/v1/captions", Map.of(), List.of(), ""),
    ALIGNMENTS(
        "/v1/alignments",
        Map.of("sentence", "a dog"),
        List.of(Part.text("sentence", "a dog")),
        "sentence=a%20dog"),
    RANKINGS(
        "/v1/rankings",
        Map.of("candidates", List.of("a dog", "a cat")),
        List.of(Part.text("candidates", "a dog"), Part.text("candidates", "a cat")),
        "candidates=a%20dog&candidates=a%20cat");

    final String path;
    final Map<String, Object> json;
    final List<Part> form;
    final String query;

    Endpoint(String path, Map<String, Object> json, List<Part> form, String query) {
      this.path = path;
      this.json = json;
      this.form = form;
      this.query = query;
    }
  }

  /** A hostile input, the status and problem type it must get, and how to send it. */
  record Row(String name, int status, String type, Function<Endpoint, HttpRequest> request) {}

  List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    rows.add(row("raw body without a content type", 400, "invalid-image", e -> raw(e, null, TEXT)));
    rows.add(
        row(
            "raw octet-stream that is not an image",
            400,
            "invalid-image",
            e -> raw(e, "application/octet-stream", TEXT)));
    rows.add(
        row(
            "JSON base64 of text",
            400,
            "invalid-image",
            e -> json(e, Map.of("image", Base64.getEncoder().encodeToString(TEXT)))));
    rows.add(
        row("JSON image as a number", 400, "malformed-json", e -> json(e, Map.of("image", 12))));
    rows.add(
        row(
            "JSON data: URL without a comma",
            400,
            "invalid-image",
            e -> json(e, Map.of("image", "data:image/png;base64"))));
    rows.add(row("JSON empty image", 400, "invalid-image", e -> json(e, Map.of("image", ""))));
    rows.add(row("JSON null", 400, "invalid-image", e -> jsonText(e, "null")));
    rows.add(
        row(
            "multipart file part without a content type",
            400,
            "invalid-image",
            e -> form(e, List.of(new Part("image", "x.png", null, TEXT)))));
    rows.add(
        row(
            "multipart text field named image",
            400,
            "invalid-image",
            e -> form(e, List.of(Part.text("image", "iVBORw0KGgo=")))));
    rows.add(
        row(
            "multipart with 1000 parts",
            413,
            "request-too-large",
            e -> {
              List<Part> parts = new ArrayList<>();
              parts.add(new Part("image", "x.png", "image/png", IMAGE));
              for (int i = 0; i < 1000; i++) {
                parts.add(Part.text("filler", "x"));
              }
              return form(e, parts);
            }));
    rows.add(
        row(
            "malformed multipart body",
            400,
            "malformed-form",
            e ->
                RawHttp.request(uri(e.path))
                    .header("Content-Type", "multipart/form-data; boundary=" + RawHttp.BOUNDARY)
                    .POST(BodyPublishers.ofString("--" + RawHttp.BOUNDARY + "\r\nno headers"))
                    .build()));
    rows.add(
        row(
            "multipart part without headers",
            400,
            "malformed-form",
            e ->
                RawHttp.request(uri(e.path))
                    .header("Content-Type", "multipart/form-data; boundary=" + RawHttp.BOUNDARY)
                    .POST(
                        BodyPublishers.ofString(
                            "--" + RawHttp.BOUNDARY + "\r\n-62--" + RawHttp.BOUNDARY + "--\r\n"))
                    .build()));
    rows.add(
        row(
            "JSON integer with a fraction",
            400,
            "malformed-json",
            e ->
                json(
                    e,
                    switch (e) {
                      case CAPTIONS -> Map.of("image", base64(), "beam_size", 2.5);
                      case ALIGNMENTS -> Map.of("image", base64(), "sentence", 2.5);
                      case RANKINGS -> Map.of("image", base64(), "candidates", 2.5);
                    })));
    rows.add(
        row(
            "JSON field of the wrong type",
            400,
            "malformed-json",
            e ->
                json(
                    e,
                    switch (e) {
                      case CAPTIONS -> Map.of("image", base64(), "beam_size", "abc");
                      case ALIGNMENTS -> Map.of("image", base64(), "sentence", List.of("a", "dog"));
                      case RANKINGS -> Map.of("image", base64(), "candidates", "a dog");
                    })));
    rows.add(
        row(
            "JSON number as a string",
            400,
            "malformed-json",
            e ->
                json(
                    e,
                    switch (e) {
                      case CAPTIONS -> Map.of("image", base64(), "beam_size", "3");
                      case ALIGNMENTS -> Map.of("image", base64(), "sentence", 12);
                      case RANKINGS -> Map.of("image", base64(), "candidates", List.of(12));
                    })));
    rows.add(row("JSON top-level array", 400, "malformed-json", e -> jsonText(e, "[1, 2]")));
    rows.add(row("malformed JSON", 400, "malformed-json", e -> jsonText(e, "{\"image\": ")));
    rows.add(
        row(
            "30 MB body",
            413,
            "request-too-large",
            e -> raw(e, "image/png", new byte[30 * 1024 * 1024])));
    rows.add(
        row(
            "30 MB chunked body",
            413,
            "request-too-large",
            e ->
                RawHttp.request(uri(e.path + "?" + e.query))
                    .header("Content-Type", "image/png")
                    .POST(
                        BodyPublishers.ofInputStream(
                            () -> new ByteArrayInputStream(new byte[30 * 1024 * 1024])))
                    .build()));
    rows.add(
        row(
            "230 KB URL",
            414,
            "uri-too-long",
            e ->
                RawHttp.request(uri(e.path + "?beam_size=" + "1".repeat(230 * 1024)))
                    .header("Content-Type", "image/png")
                    .POST(BodyPublishers.ofByteArray(IMAGE))
                    .build()));
    rows.add(
        row(
            "GET on a POST endpoint",
            405,
            "method-not-allowed",
            e -> RawHttp.request(uri(e.path)).GET().build()));
    rows.add(
        row(
            "DELETE on a POST endpoint",
            405,
            "method-not-allowed",
            e -> RawHttp.request(uri(e.path)).DELETE().build()));
    rows.add(
        row("text/plain body", 415, "unsupported-media-type", e -> raw(e, "text/plain", TEXT)));
    rows.add(
        row(
            "Accept: text/html only",
            406,
            "not-acceptable",
            e ->
                RawHttp.request(uri(e.path + "?" + e.query))
                    .header("Content-Type", "image/png")
                    .header("Accept", "text/html")
                    .POST(BodyPublishers.ofByteArray(IMAGE))
                    .build()));
    return rows;
  }

  @Test
  void everyHostileInputIsAProblemOnEveryEndpoint() {
    List<String> failures = new ArrayList<>();
    for (Row row : rows()) {
      for (Endpoint e : Endpoint.values()) {
        HttpRequest request = row.request().apply(e);
        HttpResponse<String> r = RawHttp.send(request);
        String what = row.name() + " → " + e.path;
        try {
          assertProblem(r, row.status(), row.type(), what);
        } catch (AssertionError failure) {
          failures.add(failure.getMessage());
        }
      }
    }
    assertTrue(failures.isEmpty(), failures.size() + " failures:\n" + String.join("\n", failures));
  }

  @Test
  void methodNotAllowedNamesTheAllowedMethods() {
    for (Endpoint e : Endpoint.values()) {
      HttpResponse<String> r = RawHttp.send(RawHttp.request(uri(e.path)).GET().build());
      assertEquals(405, r.statusCode(), r.body());
      String allow = r.headers().firstValue("Allow").orElse("");
      assertTrue(allow.contains("POST"), e.path + ": Allow: " + allow);
    }
  }

  @Test
  void aValidImageWithoutAContentTypeIsCaptioned() {
    for (Endpoint e : Endpoint.values()) {
      HttpResponse<String> raw = RawHttp.send(raw(e, null, IMAGE));
      assertEquals(200, raw.statusCode(), e.path + " raw: " + raw.body());
      HttpResponse<String> form =
          RawHttp.send(form(e, List.of(new Part("image", "scene.png", null, IMAGE))));
      assertEquals(200, form.statusCode(), e.path + " multipart: " + form.body());
    }
  }

  /** Issue 15: a client that closes the socket mid-upload is no server error, in no log. */
  @Test
  void aClientThatClosesMidUploadLeavesNoErrorInTheLog() throws Exception {
    List<LogRecord> errors = new CopyOnWriteArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.SEVERE.intValue() || r.getThrown() != null) {
              errors.add(r);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger root = Logger.getLogger("");
    root.addHandler(capture);
    try {
      for (Endpoint e : Endpoint.values()) {
        for (String type :
            List.of("image/png", "multipart/form-data; boundary=" + RawHttp.BOUNDARY)) {
          try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            String head =
                "POST "
                    + e.path
                    + "?"
                    + e.query
                    + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                    + type
                    + "\r\nContent-Length: 1000000\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(
                type.startsWith("multipart")
                    ? ("--"
                            + RawHttp.BOUNDARY
                            + "\r\nContent-Disposition: form-data;"
                            + " name=\"image\"; filename=\"x.png\"\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII)
                    : new byte[0]);
            out.write(Arrays.copyOf(IMAGE, Math.min(IMAGE.length, 32 * 1024)));
            out.flush();
          } // closed mid-upload
        }
      }
      // the server has seen every close once a later request on a new connection is answered
      for (int i = 0; i < 3; i++) {
        Thread.sleep(300);
        assertEquals(
            200, RawHttp.send(RawHttp.request(uri("/q/health/live")).build()).statusCode());
      }
    } finally {
      root.removeHandler(capture);
    }
    assertTrue(
        errors.isEmpty(),
        errors.stream()
            .map(r -> r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage())
            .toList()
            .toString());
  }

  static void assertProblem(HttpResponse<String> r, int status, String type, String what) {
    String body = r.body().length() > 300 ? r.body().substring(0, 300) + "..." : r.body();
    assertEquals(status, r.statusCode(), what + ": status (" + body + ")");
    String contentType = r.headers().firstValue("Content-Type").orElse("");
    assertTrue(contentType.startsWith(Problem.MEDIA_TYPE), what + ": content type " + contentType);
    String id = r.headers().firstValue(RequestIds.HEADER).orElse("");
    assertFalse(id.isEmpty(), what + ": no " + RequestIds.HEADER);
    JsonNode problem;
    try {
      problem = JSON.readTree(r.body());
    } catch (Exception ex) {
      throw new AssertionError(what + ": body is not JSON: " + body, ex);
    }
    assertEquals(Problem.TYPE_PREFIX + type, problem.path("type").asText(), what + ": type");
    assertEquals(status, problem.path("status").asInt(), what + ": status member");
    assertFalse(problem.path("detail").asText().isBlank(), what + ": no detail");
    assertEquals(id, problem.path("request_id").asText(), what + ": request_id");
  }

  private static Row row(String name, int status, String type, Function<Endpoint, HttpRequest> r) {
    return new Row(name, status, type, r);
  }

  private URI uri(String pathAndQuery) {
    return base.resolve(pathAndQuery.startsWith("/") ? pathAndQuery.substring(1) : pathAndQuery);
  }

  private HttpRequest raw(Endpoint e, String contentType, byte[] body) {
    HttpRequest.Builder b = RawHttp.request(uri(e.path + "?" + e.query));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return b.POST(BodyPublishers.ofByteArray(body)).build();
  }

  private HttpRequest json(Endpoint e, Map<String, Object> fields) {
    Map<String, Object> body = new LinkedHashMap<>(e.json);
    body.putAll(fields);
    try {
      return jsonText(e, JSON.writeValueAsString(body));
    } catch (Exception ex) {
      throw new IllegalStateException(ex);
    }
  }

  private HttpRequest jsonText(Endpoint e, String body) {
    return RawHttp.request(uri(e.path))
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString(body))
        .build();
  }

  private HttpRequest form(Endpoint e, List<Part> parts) {
    List<Part> all = new ArrayList<>(e.form);
    all.addAll(parts);
    return RawHttp.request(uri(e.path))
        .header("Content-Type", "multipart/form-data; boundary=" + RawHttp.BOUNDARY)
        .POST(BodyPublishers.ofByteArray(RawHttp.multipart(all)))
        .build();
  }

  private static String base64() {
    return Base64.getEncoder().encodeToString(IMAGE);
  }
}
