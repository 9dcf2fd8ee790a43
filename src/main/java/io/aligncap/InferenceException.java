package io.aligncap;

/** ONNX Runtime failed while running a graph; HTTP 500. */
public class InferenceException extends AligncapException {

  public InferenceException(String message) {
    super(message);
  }

  public InferenceException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 500;
  }

  @Override
  public String title() {
    return "Inference failed";
  }
}
