package io.aligncap.model;

import static io.aligncap.AligncapException.Kind.MODEL_PACKAGE;

import io.aligncap.AligncapException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks that a graph as loaded by ONNX Runtime has exactly the inputs and outputs its manifest
 * declares: same names, dtypes and ranks; a dimension the manifest fixes must be fixed to the same
 * value or dynamic, and a symbolic one ("batch") must be dynamic in the graph. Free of ONNX Runtime
 * types so that it can be tested alone.
 */
public final class GraphContract {

  /**
   * A tensor as the runtime reports it.
   *
   * @param dtype "float32", "int64", "uint8", ...
   * @param dims -1 for a dynamic dimension
   */
  public record Actual(String name, String dtype, long[] dims) {}

  private GraphContract() {}

  /**
   * @throws AligncapException (MODEL_PACKAGE) naming the file, the tensor and what was expected
   */
  public static void check(Manifest.GraphSpec spec, List<Actual> inputs, List<Actual> outputs) {
    compare(spec.file(), "input", spec.inputs(), inputs);
    compare(spec.file(), "output", spec.outputs(), outputs);
  }

  private static void compare(
      String file, String kind, List<Manifest.TensorSpec> declared, List<Actual> actual) {
    Map<String, Actual> byName = new LinkedHashMap<>();
    actual.forEach(a -> byName.put(a.name(), a));
    List<String> declaredNames = declared.stream().map(Manifest.TensorSpec::name).toList();
    if (!byName.keySet().equals(new HashSet<>(declaredNames))) {
      throw mismatch(file, kind + "s are", byName.keySet(), declaredNames);
    }
    for (Manifest.TensorSpec spec : declared) {
      Actual a = byName.get(spec.name());
      if (!spec.dtype().equals(a.dtype())) {
        throw mismatch(file, kind + " \"" + spec.name() + "\" is", a.dtype(), spec.dtype());
      }
      long[] want = spec.dims();
      boolean ok = want.length == a.dims().length;
      for (int i = 0; ok && i < want.length; i++) {
        ok = want[i] < 0 ? a.dims()[i] < 0 : a.dims()[i] < 0 || a.dims()[i] == want[i];
      }
      if (!ok) {
        String shape = Arrays.toString(a.dims()).replace("-1", "?");
        throw mismatch(file, kind + " \"" + spec.name() + "\" has shape", shape, spec.shape());
      }
    }
  }

  private static AligncapException mismatch(
      String file, String what, Object actual, Object declared) {
    return new AligncapException(
        MODEL_PACKAGE, file + ": " + what + " " + actual + ", the manifest declares " + declared);
  }
}
