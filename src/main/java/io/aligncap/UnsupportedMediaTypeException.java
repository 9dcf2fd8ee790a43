package io.aligncap;

/** The body is not an image format the service decodes (or not an image at all); HTTP 415. */
public class UnsupportedMediaTypeException extends AligncapException {

  public UnsupportedMediaTypeException(String message) {
    super(message);
  }

  public UnsupportedMediaTypeException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 415;
  }

  @Override
  public String title() {
    return "Unsupported media type";
  }
}
