package io.aligncap;

import java.time.Duration;
import java.util.Optional;

/**
 * The service's own failures: one type whose {@link Kind} carries the HTTP status, the problem
 * title and whether a retry may succeed, so that the one exception mapper and the event paths
 * (which record a permanent failure or hand the event back) translate it by its kind alone.
 */
public final class AligncapException extends RuntimeException {

  /** What went wrong, as a client or an event path must treat it. */
  public enum Kind {
    /** The bytes are not a decodable image (corrupt, truncated, or an empty body). */
    INVALID_IMAGE(400, "Invalid image", false),
    /** The request lacks the configured API key or carries a wrong one. */
    UNAUTHORIZED(401, "Unauthorized", false),
    /** The image or request exceeds a configured limit on bytes, width, height or pixels. */
    IMAGE_TOO_LARGE(413, "Image too large", false),
    /** The body is not an image format the service decodes (or not an image at all). */
    UNSUPPORTED_MEDIA_TYPE(415, "Unsupported media type", false),
    /** A well-formed request whose options are out of range (beam size, sentence, box...). */
    INVALID_OPTIONS(422, "Invalid options", false),
    /** A package with a missing or altered file, or graphs that differ from its manifest. */
    MODEL_PACKAGE(500, "Model package invalid", false),
    /** ONNX Runtime failed while running a graph. */
    INFERENCE(500, "Inference failed", false),
    /** The model is not loaded or warmed yet, or strict GPU mode has no GPU. */
    NOT_READY(503, "Not ready", true),
    /**
     * Every decode slot stayed busy for the whole wait ({@code
     * aligncap.image.max-concurrent-decodes}, {@code aligncap.image.decode-wait}): the memory
     * budget says no more now; retry later.
     */
    OVERLOADED(503, "Overloaded", true);

    /** The HTTP status (4xx: the caller's input; 5xx: the service). */
    public final int status;

    /** A short, stable title (RFC 9457 {@code title}); event results derive their type from it. */
    public final String title;

    /** Whether retrying the same input later may succeed; event paths retry only these. */
    public final boolean transientFailure;

    Kind(int status, String title, boolean transientFailure) {
      this.status = status;
      this.title = title;
      this.transientFailure = transientFailure;
    }
  }

  private final Kind kind;
  private final Duration retryAfter;

  public AligncapException(Kind kind, String message) {
    this(kind, message, (Throwable) null);
  }

  public AligncapException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.retryAfter = null;
  }

  /** A transient refusal that tells the client when to come back (HTTP {@code Retry-After}). */
  public AligncapException(Kind kind, String message, Duration retryAfter) {
    super(message);
    this.kind = kind;
    this.retryAfter = retryAfter;
  }

  public Kind kind() {
    return kind;
  }

  /** When a retry may succeed, for transient kinds that know it. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
