package io.aligncap.model;

import static io.aligncap.AligncapException.Kind.MODEL_PACKAGE;
import static io.aligncap.testing.Failures.assertFails;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.aligncap.AligncapException;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphContractTest {

  static final List<JsonNode> BATCH_512 = List.of(new TextNode("batch"), new IntNode(512));
  static final Manifest.GraphSpec SPEC =
      new Manifest.GraphSpec(
          "decoder.onnx",
          List.of(new Manifest.TensorSpec("h", "float32", BATCH_512)),
          List.of(new Manifest.TensorSpec("h_out", "float32", BATCH_512)));

  static List<GraphContract.Actual> one(String name, String dtype, long... dims) {
    return List.of(new GraphContract.Actual(name, dtype, dims));
  }

  @Test
  void acceptsTheDeclaredSignature() {
    assertDoesNotThrow(
        () ->
            GraphContract.check(
                SPEC, one("h", "float32", -1, 512), one("h_out", "float32", -1, 512)));
    // a fixed dimension may be dynamic in the graph
    assertDoesNotThrow(
        () ->
            GraphContract.check(
                SPEC, one("h", "float32", -1, -1), one("h_out", "float32", -1, 512)));
  }

  @Test
  void refusesMismatchesNamingFileAndTensor() {
    AligncapException name =
        assertFails(
            MODEL_PACKAGE,
            () ->
                GraphContract.check(
                    SPEC, one("state", "float32", -1, 512), one("h_out", "float32", -1, 512)));
    assertTrue(name.getMessage().startsWith("decoder.onnx: inputs are [state]"), name.getMessage());
    AligncapException dtype =
        assertFails(
            MODEL_PACKAGE,
            () ->
                GraphContract.check(
                    SPEC, one("h", "float64", -1, 512), one("h_out", "float32", -1, 512)));
    assertTrue(dtype.getMessage().contains("\"h\" is float64"), dtype.getMessage());
    // "batch" must stay dynamic: a graph exported with batch 1 cannot decode a beam
    AligncapException batch =
        assertFails(
            MODEL_PACKAGE,
            () ->
                GraphContract.check(
                    SPEC, one("h", "float32", 1, 512), one("h_out", "float32", -1, 512)));
    assertTrue(batch.getMessage().contains("[1, 512]"), batch.getMessage());
    assertFails(
        MODEL_PACKAGE,
        () ->
            GraphContract.check(
                SPEC, one("h", "float32", -1, 256), one("h_out", "float32", -1, 512)));
  }
}
