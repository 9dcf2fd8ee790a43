package io.aligncap;

/** The bytes are not a decodable image (corrupt, truncated, or an empty body); HTTP 400. */
public class InvalidImageException extends AligncapException {

  public InvalidImageException(String message) {
    super(message);
  }

  public InvalidImageException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 400;
  }

  @Override
  public String title() {
    return "Invalid image";
  }
}
