package io.aligncap;

/** A model package that cannot be used: a missing or altered file, an unknown format version, graph names or shapes that do not match the manifest. Fails start-up. */
public class ModelPackageException extends AligncapException {

  public ModelPackageException(String message) {
    super(message);
  }

  public ModelPackageException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 500;
  }

  @Override
  public String title() {
    return "Model package invalid";
  }
}
