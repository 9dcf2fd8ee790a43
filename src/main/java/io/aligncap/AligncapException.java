package io.aligncap;

/**
 * Root of the service's own failures. Each subclass carries the HTTP status it maps to and a
 * short problem title, so that one exception mapper (and the event handlers, which record a
 * permanent or transient failure) can translate it without knowing every type.
 */
public abstract class AligncapException extends RuntimeException {

  protected AligncapException(String message) {
    super(message);
  }

  protected AligncapException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The HTTP status this failure maps to (4xx: the caller's input; 5xx: the service). */
  public abstract int status();

  /** A short, stable title for the problem type (RFC 9457 {@code title}). */
  public abstract String title();

  /**
   * Whether retrying the same input later may succeed (true for "not ready"); an event handler
   * retries these and records the others as permanent failures.
   */
  public boolean transientFailure() {
    return false;
  }
}
