package io.aligncap.inference;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * The SnapStart hook (issue 12) runs one inference before a snapshot and leaves the model serving;
 * called here directly, as Lambda's CRaC context would (no Lambda needed).
 */
@QuarkusTest
class SnapStartPrimingTest {

  @Inject SnapStartPriming priming;
  @Inject ServedModel served;

  @Test
  void primingRunsAnInferenceAndTheModelStaysReady() throws Exception {
    long before = served.pipeline().batchCounts().get("decoder")[1];
    priming.beforeCheckpoint(null);
    priming.afterRestore(null);
    assertTrue(served.status().ready());
    long after = served.pipeline().batchCounts().get("decoder")[1];
    assertTrue(after > before, "the priming inference ran the decoder");
  }
}
