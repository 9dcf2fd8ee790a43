package io.aligncap.inference;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Times the stages of one request: milliseconds for the response, and the Micrometer timer {@code
 * aligncap.inference} tagged with the stage for {@code /q/metrics}.
 */
final class StageTimings {

  static final String METER = "aligncap.inference";

  private final MeterRegistry registry;
  private final Map<String, Double> ms = new LinkedHashMap<>();

  StageTimings(MeterRegistry registry) {
    this.registry = registry;
  }

  <T> T time(String stage, Supplier<T> work) {
    long start = System.nanoTime();
    try {
      return work.get();
    } finally {
      long nanos = System.nanoTime() - start;
      ms.merge(stage, Math.round(nanos / 10_000.0) / 100.0, Double::sum);
      if (registry != null) {
        Timer.builder(METER)
            .description("Inference time per stage")
            .tag("stage", stage)
            .publishPercentileHistogram()
            .register(registry)
            .record(nanos, TimeUnit.NANOSECONDS);
      }
    }
  }

  Map<String, Double> millis() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(ms));
  }
}
