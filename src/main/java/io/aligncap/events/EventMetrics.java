package io.aligncap.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Map;

/**
 * Counters of the event modes on {@code /q/metrics}: objects by outcome, inferences run, and
 * transient failures. "Inferences" counts images captioned, so duplicates that did no work show up
 * as outcomes without a matching inference.
 */
@ApplicationScoped
public class EventMetrics {

  private final Map<Outcome.Status, Counter> outcomes = new EnumMap<>(Outcome.Status.class);
  private final Counter inferences;
  private final Counter transientFailures;

  EventMetrics(MeterRegistry registry) {
    for (Outcome.Status s : Outcome.Status.values()) {
      outcomes.put(
          s,
          Counter.builder("aligncap.events.objects")
              .description("S3 objects handled by the event modes, by outcome")
              .tag("outcome", s.name().toLowerCase(java.util.Locale.ROOT))
              .register(registry));
    }
    inferences =
        Counter.builder("aligncap.events.inferences")
            .description("Images captioned by the event modes (one per model run)")
            .register(registry);
    transientFailures =
        Counter.builder("aligncap.events.transient.failures")
            .description("Objects left to redelivery after a failure a retry may fix")
            .register(registry);
  }

  void outcome(Outcome outcome) {
    outcomes.get(outcome.status()).increment();
  }

  void inference() {
    inferences.increment();
  }

  void transientFailure() {
    transientFailures.increment();
  }

  /** Inferences so far (tests and the throughput benchmark read it). */
  public long inferences() {
    return (long) inferences.count();
  }

  /** Objects that came to {@code status} so far. */
  public long outcomes(Outcome.Status status) {
    return (long) outcomes.get(status).count();
  }
}
