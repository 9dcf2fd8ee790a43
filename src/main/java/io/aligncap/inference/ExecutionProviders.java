package io.aligncap.inference;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Adds the configured execution providers to session options, in order of preference. A provider
 * that cannot be added (the CPU-only ONNX Runtime jar, or the GPU jar without CUDA libraries) is
 * logged and skipped: {@code getAvailableProviders()} is not trusted, because the GPU jar lists
 * CUDA even where its libraries are missing, so each provider is really tried.
 */
final class ExecutionProviders {

  private static final Logger LOG = Logger.getLogger(ExecutionProviders.class);

  static final String CPU = "cpu";
  static final String CUDA = "cuda";
  static final String TENSORRT = "tensorrt";

  /**
   * What was added.
   *
   * @param active providers added, in priority order; CPU is always last (ONNX Runtime falls back
   *     to it for any node the others do not take)
   * @param skipped one line per provider that could not be added, with the reason
   */
  record Choice(List<String> active, List<String> skipped) {

    /** The provider that runs the graphs (the first active one). */
    String primary() {
      return active.get(0);
    }

    boolean gpu() {
      return !CPU.equals(primary());
    }
  }

  private ExecutionProviders() {}

  static Choice configure(SessionOptions options, List<String> preference, int deviceId) {
    List<String> active = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (String raw : preference) {
      String name = raw.trim().toLowerCase(Locale.ROOT);
      try {
        switch (name) {
          case CUDA -> options.addCUDA(deviceId);
          case TENSORRT -> options.addTensorrt(deviceId);
          case CPU -> {}
          default ->
              throw new IllegalArgumentException(
                  "unknown execution provider \""
                      + raw
                      + "\", expected one of cuda, tensorrt, cpu");
        }
        if (!active.contains(name)) {
          active.add(name);
        }
      } catch (OrtException | UnsatisfiedLinkError e) {
        // UnsatisfiedLinkError: the GPU jar's provider library is there but CUDA's is not.
        LOG.warnf("Execution provider %s unavailable, falling back: %s", name, e.getMessage());
        skipped.add(name + ": " + e.getMessage());
      }
    }
    active.remove(CPU);
    active.add(CPU);
    return new Choice(List.copyOf(active), List.copyOf(skipped));
  }
}
