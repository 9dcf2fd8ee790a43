package io.aligncap;

/** The image exceeds a configured limit on bytes, width, height or pixel count; HTTP 413. */
public class ImageTooLargeException extends AligncapException {

  public ImageTooLargeException(String message) {
    super(message);
  }

  public ImageTooLargeException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 413;
  }

  @Override
  public String title() {
    return "Image too large";
  }
}
