package io.aligncap;

/** The model is not loaded or warmed yet, or the required execution provider is missing (strict GPU mode); HTTP 503. Retrying later may succeed. */
public class NotReadyException extends AligncapException {

  public NotReadyException(String message) {
    super(message);
  }

  public NotReadyException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 503;
  }

  @Override
  public String title() {
    return "Not ready";
  }

  @Override
  public boolean transientFailure() {
    return true;
  }
}
