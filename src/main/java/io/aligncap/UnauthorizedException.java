package io.aligncap;

/** The request lacks the configured API key or carries a wrong one; HTTP 401. */
public class UnauthorizedException extends AligncapException {

  public UnauthorizedException(String message) {
    super(message);
  }

  public UnauthorizedException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 401;
  }

  @Override
  public String title() {
    return "Unauthorized";
  }
}
