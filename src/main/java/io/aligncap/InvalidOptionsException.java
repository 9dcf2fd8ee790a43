package io.aligncap;

/** Well-formed request whose options are out of range (beam size, empty sentence, too many candidates, a bad box); HTTP 422. */
public class InvalidOptionsException extends AligncapException {

  public InvalidOptionsException(String message) {
    super(message);
  }

  public InvalidOptionsException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 422;
  }

  @Override
  public String title() {
    return "Invalid options";
  }
}
