package io.aligncap.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Removes a graph output from a serialised ONNX model, by walking the protobuf wire format (no ONNX
 * library on the class path): {@code ModelProto.graph} is field 7, {@code GraphProto.output} field
 * 12, {@code ValueInfoProto.name} field 1. The nodes that computed the output stay (ONNX Runtime
 * prunes them). Lets a test turn a package into one without a region decoder.
 */
public final class OnnxOutputs {

  private static final int MODEL_GRAPH = 7;
  private static final int GRAPH_OUTPUT = 12;
  private static final int VALUE_INFO_NAME = 1;
  private static final int LENGTH_DELIMITED = 2;

  private OnnxOutputs() {}

  /**
   * @throws IllegalArgumentException when the model has no such output
   */
  public static byte[] drop(byte[] model, String output) {
    boolean[] found = {false};
    byte[] out =
        rewrite(
            model,
            (field, body) -> {
              if (field != MODEL_GRAPH) {
                return body;
              }
              return rewrite(
                  body,
                  (f, value) -> {
                    if (f == GRAPH_OUTPUT && output.equals(name(value))) {
                      found[0] = true;
                      return null;
                    }
                    return value;
                  });
            });
    if (!found[0]) {
      throw new IllegalArgumentException("the model has no output " + output);
    }
    return out;
  }

  private interface Edit {
    /** The new body of a length-delimited field, or null to remove it. */
    byte[] apply(int field, byte[] body);
  }

  private static byte[] rewrite(byte[] message, Edit edit) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(message.length);
    int[] pos = {0};
    while (pos[0] < message.length) {
      int start = pos[0];
      long key = varint(message, pos);
      int field = (int) (key >>> 3);
      int type = (int) (key & 7);
      switch (type) {
        case 0 -> varint(message, pos);
        case 1 -> pos[0] += 8;
        case 5 -> pos[0] += 4;
        case LENGTH_DELIMITED -> {
          int length = (int) varint(message, pos);
          byte[] body = new byte[length];
          System.arraycopy(message, pos[0], body, 0, length);
          pos[0] += length;
          byte[] replaced = edit.apply(field, body);
          if (replaced != null) {
            writeVarint(out, key);
            writeVarint(out, replaced.length);
            out.writeBytes(replaced);
          }
          continue;
        }
        default -> throw new IllegalArgumentException("unexpected wire type " + type);
      }
      out.write(message, start, pos[0] - start);
    }
    return out.toByteArray();
  }

  private static String name(byte[] valueInfo) {
    String[] name = {null};
    rewrite(
        valueInfo,
        (field, body) -> {
          if (field == VALUE_INFO_NAME) {
            name[0] = new String(body, StandardCharsets.UTF_8);
          }
          return body;
        });
    return name[0];
  }

  private static long varint(byte[] b, int[] pos) {
    long value = 0;
    for (int shift = 0; ; shift += 7) {
      byte x = b[pos[0]++];
      value |= (long) (x & 0x7F) << shift;
      if (x >= 0) {
        return value;
      }
    }
  }

  private static void writeVarint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }
}
