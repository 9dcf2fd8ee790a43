package io.aligncap.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aligncap.api.ModelReadinessCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** Readiness follows load → warm-up, and a refusal (strict GPU mode) keeps it down. */
class ReadinessStateTest {

  static HealthCheckResponse.Status status(ReadinessState s) {
    return new ModelReadinessCheck(s).call().getStatus();
  }

  @Test
  void readyOnlyOnceLoadedAndWarm() {
    ReadinessState s = new ReadinessState();
    assertEquals(HealthCheckResponse.Status.DOWN, status(s));
    s.markLoaded("cpu");
    assertEquals(HealthCheckResponse.Status.DOWN, status(s), "loaded but not warmed");
    s.markWarm();
    assertEquals(HealthCheckResponse.Status.UP, status(s));
    s.refuse("require-gpu set, no GPU");
    assertEquals(HealthCheckResponse.Status.DOWN, status(s));
  }
}
