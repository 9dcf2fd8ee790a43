package io.aligncap.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;

/** Reads float outputs of a session run into Java arrays. */
final class Tensors {

  private Tensors() {}

  /** Output {@code name} as a flat array. */
  static float[] floats(OrtSession.Result result, String name) throws OrtException {
    OnnxValue value =
        result
            .get(name)
            .orElseThrow(() -> new IllegalStateException("graph has no output " + name));
    FloatBuffer buffer = ((OnnxTensor) value).getFloatBuffer();
    float[] out = new float[buffer.remaining()];
    buffer.get(out);
    return out;
  }

  /**
   * Splits a flat array into {@code rows} rows of {@code flat.length / rows}, from {@code offset}.
   */
  static float[][] rows(float[] flat, int offset, int rows, int width) {
    float[][] out = new float[rows][width];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(flat, offset + r * width, out[r], 0, width);
    }
    return out;
  }

  /** Packs rows into one flat array (row-major). */
  static float[] flat(float[][] rows, int width) {
    float[] out = new float[rows.length * width];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, out, r * width, width);
    }
    return out;
  }
}
