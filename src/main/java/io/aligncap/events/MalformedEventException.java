package io.aligncap.events;

/**
 * An event or queue message that no retry can make sense of (not JSON, or not an S3 notification in
 * any envelope this service knows). SQS paths leave such a message to the queue's redrive policy,
 * so it reaches the dead-letter queue instead of being retried forever.
 */
public class MalformedEventException extends RuntimeException {

  public MalformedEventException(String message) {
    super(message);
  }

  public MalformedEventException(String message, Throwable cause) {
    super(message, cause);
  }
}
