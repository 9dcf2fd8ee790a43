package io.aligncap.testing;

/**
 * The execution provider the tests expect. {@code mvn -Pgpu} runs them on ONNX Runtime's GPU jar
 * and passes {@code USE_CUDA=1}, as ONNX Runtime's own build passes it to its tests: CUDA must then
 * be present and in use. Otherwise the CPU-only jar refuses CUDA and everything runs on CPU. Tests
 * that only make sense on one of the two are gated with {@code @EnabledIfSystemProperty(named =
 * "USE_CUDA", matches = "1")} or its {@code Disabled} twin.
 */
public final class Providers {

  public static final boolean CUDA = "1".equals(System.getProperty("USE_CUDA"));

  /** The provider that the default configuration ({@code cuda,tensorrt,cpu}) ends up with. */
  public static final String EXPECTED = CUDA ? "cuda" : "cpu";

  private Providers() {}
}
