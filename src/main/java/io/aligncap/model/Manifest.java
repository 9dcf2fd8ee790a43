package io.aligncap.model;

import static io.aligncap.AligncapException.Kind.MODEL_PACKAGE;

import com.fasterxml.jackson.databind.JsonNode;
import io.aligncap.AligncapException;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of a model package (models/FORMAT.md, version 1), read with snake_case
 * names. Unknown fields are ignored so that a minor format addition does not break a reader.
 *
 * @param training resolved training configuration, kept as JSON for {@code GET /v1/models}
 * @param dataset what the model was trained on, as JSON
 * @param evaluation figures measured on the test split, as JSON
 * @param files every file except the manifest, with its size and SHA-256
 */
@RegisterForReflection // Jackson reads/writes it outside REST signatures (native image); nested
// records too
public record Manifest(
    String format,
    String formatVersion,
    String modelId,
    String modelVersion,
    String created,
    VocabularySpec vocabulary,
    TokenizerSpec tokenizer,
    ImageSpec image,
    RegionSpec regions,
    AlignmentSpec alignment,
    DecoderSpec decoder,
    DecoderSpec regionDecoder,
    Map<String, GraphSpec> graphs,
    JsonNode training,
    JsonNode dataset,
    JsonNode evaluation,
    Map<String, FileEntry> files) {

  /** The {@code format} value of every package this reader understands. */
  public static final String FORMAT = "aligncap-model";

  /** The major format version this reader understands. */
  public static final int FORMAT_MAJOR = 1;

  public record VocabularySpec(
      String file, int size, int padId, int startId, int endId, int unkId) {}

  public record TokenizerSpec(boolean lowercase, String tokenRegex) {}

  /**
   * @param inputSize the square side the graph resizes any input to
   * @param maxSubsampleSide a reader may subsample by an integer factor while both sides stay at
   *     least this
   */
  public record ImageSpec(
      int inputSize, String layout, String dtype, String channels, int maxSubsampleSide) {}

  /**
   * @param count grid × grid cells, then the whole image at {@code wholeImageIndex}
   */
  public record RegionSpec(int grid, int count, int wholeImageIndex, String boxFormat) {}

  public record AlignmentSpec(int embeddingSize, double mrfBeta) {}

  /**
   * One step of a multimodal RNN. State {@code x} is fed as input {@code x} and read back from
   * output {@code x_out}.
   */
  public record DecoderSpec(
      String cell, int hiddenSize, int biasSize, List<String> stateNames, int maxLength) {}

  public record GraphSpec(String file, List<TensorSpec> inputs, List<TensorSpec> outputs) {}

  /**
   * @param shape dimensions: numbers are fixed, strings ("batch", "length") are symbolic
   */
  public record TensorSpec(String name, String dtype, List<JsonNode> shape) {

    /** The dimensions with -1 for a symbolic one. */
    public long[] dims() {
      long[] dims = new long[shape.size()];
      for (int i = 0; i < dims.length; i++) {
        JsonNode d = shape.get(i);
        dims[i] = d.isNumber() ? d.asLong() : -1;
      }
      return dims;
    }
  }

  public record FileEntry(long bytes, String sha256) {}

  /** The spec of {@code graph}. */
  public GraphSpec graph(Graph graph) {
    GraphSpec spec = graphs == null ? null : graphs.get(graph.key);
    if (spec == null) {
      throw new AligncapException(
          MODEL_PACKAGE,
          "manifest.json: graphs."
              + graph
              + " is missing, expected every one of "
              + Arrays.toString(Graph.values()));
    }
    return spec;
  }
}
