package io.aligncap.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/** Reads the outputs of a session run into Java arrays. */
final class Tensors {

  private Tensors() {}

  /** Output {@code name} as a flat array. */
  static float[] floats(OrtSession.Result result, String name) throws OrtException {
    FloatBuffer buffer = tensor(result, name).getFloatBuffer();
    float[] out = new float[buffer.remaining()];
    buffer.get(out);
    return out;
  }

  /** Output {@code name} (uint8) as a flat array. */
  static byte[] bytes(OrtSession.Result result, String name) throws OrtException {
    ByteBuffer buffer = tensor(result, name).getByteBuffer();
    byte[] out = new byte[buffer.remaining()];
    buffer.get(out);
    return out;
  }

  /** The shape of output {@code name}. */
  static long[] shape(OrtSession.Result result, String name) {
    return tensor(result, name).getInfo().getShape();
  }

  private static OnnxTensor tensor(OrtSession.Result result, String name) {
    OnnxValue value =
        result
            .get(name)
            .orElseThrow(() -> new IllegalStateException("graph has no output " + name));
    return (OnnxTensor) value;
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
