package io.aligncap.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aligncap.testing.TestModel;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shared sessions give the same answers under 32 concurrent requests as one at a time. */
@QuarkusTest
class ConcurrencyTest {

  static final int REQUESTS = 32;

  /** Everything but the timings. */
  static String answer(String query, byte[] image) {
    JsonPath json =
        given()
            .contentType("image/png")
            .body(image)
            .post("/v1/captions?" + query)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    return json.getList("captions").toString() + json.getList("snippets") + json.getList("regions");
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
    List<String> sequential = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      sequential.add(answer(queries.get(i), bodies.get(i)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(REQUESTS);
    try {
      List<Future<String>> futures = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        int k = i;
        futures.add(pool.submit(() -> answer(queries.get(k), bodies.get(k))));
      }
      for (int i = 0; i < REQUESTS; i++) {
        assertEquals(sequential.get(i), futures.get(i).get(5, TimeUnit.MINUTES), "request " + i);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
