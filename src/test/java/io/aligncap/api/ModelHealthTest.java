package io.aligncap.api;

import static org.eclipse.microprofile.health.HealthCheckResponse.Status.DOWN;
import static org.eclipse.microprofile.health.HealthCheckResponse.Status.UP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aligncap.inference.ServedModel.Status;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/**
 * The model's checks on their own: started once loaded; ready only once loaded and warmed, and
 * never while strict GPU mode refuses traffic. (Served end to end by ModelAndOpsTest and
 * StrictGpuTest.)
 */
class ModelHealthTest {

  @Test
  void startedOnceLoadedReadyOnceWarmAndNotRefused() {
    Status starting = new Status(false, false, null, null);
    assertEquals(DOWN, ModelHealth.started(starting).getStatus());
    assertEquals(DOWN, ModelHealth.ready(starting).getStatus());

    Status loaded = new Status(true, false, "cpu", null);
    assertEquals(UP, ModelHealth.started(loaded).getStatus());
    HealthCheckResponse cold = ModelHealth.ready(loaded);
    assertEquals(DOWN, cold.getStatus(), "loaded but not warmed");
    assertEquals(false, cold.getData().get().get("warm"));

    assertEquals(UP, ModelHealth.ready(new Status(true, true, "cpu", null)).getStatus());

    HealthCheckResponse refused = ModelHealth.ready(new Status(true, true, "cpu", "no GPU"));
    assertEquals(DOWN, refused.getStatus());
    assertEquals("no GPU", refused.getData().get().get("reason"));
  }
}
