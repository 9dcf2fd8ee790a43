package io.aligncap.api;

import static io.aligncap.AligncapException.Kind.OVERLOADED;

import io.aligncap.AligncapException;
import io.aligncap.config.AligncapConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.configuration.MemorySize;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * The memory request bodies may hold, all requests together (issue 11): {@code
 * aligncap.api.max-buffered-body-bytes}. {@link RequestGuard} takes each chunk of a JSON or raw
 * body from it as the chunk arrives, and a form's image part is taken whole before it is read from
 * disk ({@link #read}); all of it is given back when the request ends. Without it, two dozen
 * concurrent uploads near the body limit fill a 512 MiB heap before any decode starts. Thread-safe.
 */
@ApplicationScoped
public class BodyBudget {

  static final String HELD_METER = "aligncap.request.body.bytes";
  static final String OVERLOADED_METER = "aligncap.request.body.overloaded";

  private final long capacity;
  private final Duration retryAfter;
  private final AtomicLong held = new AtomicLong();
  private final Counter refused;

  BodyBudget(
      AligncapConfig config,
      MeterRegistry meters,
      @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody) {
    this.capacity = config.api().maxBufferedBodyBytes();
    if (capacity < maxBody.asLongValue()) {
      throw new IllegalStateException(
          "aligncap.api.max-buffered-body-bytes ("
              + capacity
              + ") must be at least quarkus.http.limits.max-body-size ("
              + maxBody.asLongValue()
              + "): a body of the largest size would never fit");
    }
    // a request refused here finds room once requests in progress end; they wait at most the
    // decode wait for a decode slot, so that is when to come back
    this.retryAfter = Duration.ofSeconds(Math.max(1, config.image().decodeWait().toSeconds()));
    this.refused = meters.counter(OVERLOADED_METER);
    meters.gauge(HELD_METER, held);
  }

  /** Takes {@code bytes}; false, and nothing taken, when that would go over the capacity. */
  boolean take(long bytes) {
    long now;
    do {
      now = held.get();
      if (bytes > capacity - now) {
        refused.increment();
        return false;
      }
    } while (!held.compareAndSet(now, now + bytes));
    return true;
  }

  /** Gives back what {@link #take} took. */
  void give(long bytes) {
    held.addAndGet(-bytes);
  }

  /** Bytes held now. */
  long held() {
    return held.get();
  }

  /**
   * Reads a form's image part (on disk until now) into memory within the budget and hands it to
   * {@code use}; the bytes are given back when {@code use} returns.
   *
   * @throws AligncapException (OVERLOADED, with a retry-after) when the part does not fit now
   */
  <T> T read(FileUpload upload, Function<byte[], T> use) {
    long size = upload == null ? 0 : upload.size();
    if (!take(size)) {
      throw overloaded();
    }
    try {
      return use.apply(RequestParsing.bytes(upload));
    } finally {
      give(size);
    }
  }

  /** The refusal of a body that does not fit now. */
  AligncapException overloaded() {
    return new AligncapException(
        OVERLOADED,
        "the request bodies in progress hold all "
            + capacity
            + " bytes the server buffers at once (aligncap.api.max-buffered-body-bytes); retry"
            + " after the Retry-After delay",
        retryAfter);
  }
}
