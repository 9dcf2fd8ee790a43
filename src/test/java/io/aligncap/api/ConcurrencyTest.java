package io.aligncap.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aligncap.testing.TestModel;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shared sessions give the same answers under 32 concurrent requests as one at a time: the same
 * words, tokens and regions, and the same numbers up to float rounding (a batched encoder or
 * decoder run sums in another order than a lone one, which moves the last bit of a float).
 */
@QuarkusTest
class ConcurrencyTest {

  static final int REQUESTS = 32;

  /** Everything but the timings. */
  static List<Object> answer(String query, byte[] image) {
    JsonPath json =
        given()
            .contentType("image/png")
            .body(image)
            .post("/v1/captions?" + query)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    return List.of(json.getList("captions"), json.getList("snippets"), json.getList("regions"));
  }

  static void assertSame(Object want, Object got, String where) {
    if (want instanceof Number w && got instanceof Number g) {
      double a = w.doubleValue(), b = g.doubleValue();
      assertTrue(
          Math.abs(a - b) <= 1e-5 * Math.max(1.0, Math.abs(a)), where + ": " + a + " vs " + b);
    } else if (want instanceof Map<?, ?> w && got instanceof Map<?, ?> g) {
      assertEquals(w.keySet(), g.keySet(), where);
      w.forEach((k, v) -> assertSame(v, g.get(k), where + "." + k));
    } else if (want instanceof List<?> w && got instanceof List<?> g) {
      assertEquals(w.size(), g.size(), where + " size");
      for (int i = 0; i < w.size(); i++) {
        assertSame(w.get(i), g.get(i), where + "[" + i + "]");
      }
    } else {
      assertEquals(want, got, where);
    }
  }

  @Test
  void concurrentAnswersEqualSequentialOnes() throws Exception {
    List<byte[]> images = new ArrayList<>();
    TestModel.golden()
        .get("images")
        .forEach(i -> images.add(TestModel.goldenImage(i.get("file").asText())));
    List<String> queries = new ArrayList<>();
    List<byte[]> bodies = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      queries.add((i % 2 == 0 ? "beam_size=3&results=3" : "beam_size=1") + "&regions=0,0,40,40");
      bodies.add(images.get(i % Math.min(4, images.size())));
    }
    List<List<Object>> sequential = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      sequential.add(answer(queries.get(i), bodies.get(i)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(REQUESTS);
    try {
      List<Future<List<Object>>> futures = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        int k = i;
        futures.add(pool.submit(() -> answer(queries.get(k), bodies.get(k))));
      }
      for (int i = 0; i < REQUESTS; i++) {
        assertSame(sequential.get(i), futures.get(i).get(5, TimeUnit.MINUTES), "request " + i);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
