package io.aligncap.events;

/**
 * Captioning an object failed in a way a later attempt may fix (S3 throttling or 5xx after the
 * SDK's own retries, timeouts, access denied while permissions are being fixed, the model not
 * ready). Nothing was recorded: the event must be retried by whatever delivered it (Lambda's
 * retries and on-failure destination, SQS redelivery and its dead-letter queue, S3 Batch's {@code
 * TemporaryFailure}).
 */
public class TransientEventException extends RuntimeException {

  private final ObjectRef object;

  public TransientEventException(ObjectRef object, String message, Throwable cause) {
    super(object + ": " + message, cause);
    this.object = object;
  }

  public ObjectRef object() {
    return object;
  }
}
