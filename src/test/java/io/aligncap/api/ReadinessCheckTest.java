package io.aligncap.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aligncap.inference.ReadinessState;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** The checks on their own: down before the model is loaded and warmed. */
class ReadinessCheckTest {

  @Test
  void downBeforeWarmUp() {
    ReadinessState fresh = new ReadinessState();
    HealthCheckResponse ready = new ModelReadinessCheck(fresh).call();
    assertEquals(HealthCheckResponse.Status.DOWN, ready.getStatus());
    assertEquals(false, ready.getData().get().get("warm"));
    assertEquals(HealthCheckResponse.Status.DOWN, new ModelStartupCheck(fresh).call().getStatus());
  }
}
