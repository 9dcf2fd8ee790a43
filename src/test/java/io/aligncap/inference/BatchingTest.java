package io.aligncap.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.aligncap.config.AligncapConfig;
import io.aligncap.image.DecodedImage;
import io.aligncap.model.ModelPackage;
import io.aligncap.model.PackageSource;
import io.aligncap.testing.TestModel;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Dynamic batching (issue 12) changes nothing a client can see: the served pipeline (batching on,
 * the default) captions every golden image, at beam 1, 3 and 7 with dense captions, from many
 * threads at once, and each result equals a pipeline without batching run one request at a time,
 * token for token (log-probabilities within the golden file's tolerance: a row's floats may differ
 * in the last bits when the graph runs on more rows). It also checks that requests really were
 * grouped, so that the comparison is not vacuous.
 */
@QuarkusTest
class BatchingTest {

  @Inject ServedModel served;
  @Inject AligncapConfig config;

  @Test
  void batchedResultsEqualUnbatchedOnesTokenForToken() throws Exception {
    Pipeline batched = served.pipeline();
    assertTrue(config.batching().enabled(), "batching is on by default in the container");
    JsonNode golden = TestModel.golden();
    double tolerance = golden.path("tolerance").asDouble(1e-4);
    List<DecodedImage> images = new ArrayList<>();
    for (JsonNode g : golden.get("images")) {
      images.add(batched.decode(TestModel.goldenImage(g.get("file").asText()), null));
    }
    int maxLength = batched.manifest().decoder().maxLength();
    List<DecodingPlan> plans = new ArrayList<>();
    for (int beam : new int[] {1, 3, 7}) {
      plans.add(new DecodingPlan(beam, maxLength, 0.0, beam, List.of(), true));
    }

    List<CaptionResult> want = new ArrayList<>();
    try (Pipeline alone =
        new Pipeline(ModelPackage.load(PackageSource.directory(TestModel.DIR)), unbatched())) {
      for (DecodedImage image : images) {
        for (DecodingPlan plan : plans) {
          want.add(alone.caption(image, plan, new StageTimings(null)));
        }
      }
    }

    Map<String, long[]> before = batched.batchCounts();
    int threads = 16;
    int cases = images.size() * plans.size();
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<List<CaptionResult>>> done = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        int offset = t;
        done.add(
            pool.submit(
                () -> {
                  start.await(30, TimeUnit.SECONDS);
                  List<CaptionResult> got = new ArrayList<>();
                  for (int i = 0; i < cases; i++) {
                    int c = (i + offset) % cases; // threads start on different cases
                    got.add(
                        batched.caption(
                            images.get(c / plans.size()),
                            plans.get(c % plans.size()),
                            new StageTimings(null)));
                  }
                  return got;
                }));
      }
      for (int t = 0; t < threads; t++) {
        List<CaptionResult> got = done.get(t).get(5, TimeUnit.MINUTES);
        for (int i = 0; i < cases; i++) {
          int c = (i + t) % cases;
          same("thread " + t + " case " + c, want.get(c), got.get(i), tolerance);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    Map<String, long[]> after = batched.batchCounts();
    long runs = after.get("decoder")[0] - before.get("decoder")[0];
    long searches = after.get("decoder")[1] - before.get("decoder")[1];
    assertTrue(
        searches > runs,
        "concurrent beam searches shared decoder calls (" + searches + " steps in " + runs + ")");
  }

  private static void same(String what, CaptionResult want, CaptionResult got, double tol) {
    assertEquals(want.captions().size(), got.captions().size(), what + " captions");
    for (int i = 0; i < want.captions().size(); i++) {
      Caption w = want.captions().get(i);
      Caption g = got.captions().get(i);
      assertArrayEquals(w.tokens(), g.tokens(), what + " caption " + i + " tokens");
      assertEquals(w.logProb(), g.logProb(), tol, what + " caption " + i + " log_prob");
    }
    assertEquals(want.denseCaptions().size(), got.denseCaptions().size(), what + " dense");
    for (int i = 0; i < want.denseCaptions().size(); i++) {
      assertArrayEquals(
          want.denseCaptions().get(i).caption().tokens(),
          got.denseCaptions().get(i).caption().tokens(),
          what + " dense caption " + i + " tokens");
    }
    assertEquals(want.snippets().size(), got.snippets().size(), what + " snippets");
  }

  /** The service's configuration with batching off. */
  private AligncapConfig unbatched() {
    AligncapConfig.Batching off =
        new AligncapConfig.Batching() {
          public boolean enabled() {
            return false;
          }

          public int maxImages() {
            return 1;
          }

          public int maxBeams() {
            return 1;
          }

          public Duration maxWait() {
            return Duration.ZERO;
          }
        };
    return (AligncapConfig)
        Proxy.newProxyInstance(
            AligncapConfig.class.getClassLoader(),
            new Class<?>[] {AligncapConfig.class},
            (proxy, method, args) ->
                method.getName().equals("batching") ? off : method.invoke(config, args));
  }
}
