package io.aligncap.model;

import static io.aligncap.AligncapException.Kind.MODEL_PACKAGE;

import com.fasterxml.jackson.databind.JsonNode;
import io.aligncap.AligncapException;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of a model package (models/FORMAT.md, version 2), read with snake_case
 * names. Unknown fields are ignored so that a minor format addition does not break a reader.
 *
 * @param formatVersion the format version as written (a JSON number or string); only {@link
 *     #FORMAT_VERSION} is read
 * @param regionDecoder null when the package has no region generator (no region captions)
 * @param detector what detects the regions (kinds, configuration, training), as JSON
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
    JsonNode detector,
    JsonNode training,
    JsonNode dataset,
    JsonNode evaluation,
    Map<String, FileEntry> files) {

  /** The {@code format} value of every package this reader understands. */
  public static final String FORMAT = "aligncap-model";

  /** The one format version this reader understands (a reader refuses any other). */
  public static final int FORMAT_VERSION = 2;

  /** The preprocessing rules (models/FORMAT.md "Preprocessing") this service implements. */
  public static final int PREPROCESSING = 2;

  public record VocabularySpec(
      String file, int size, int padId, int startId, int endId, int unkId) {}

  public record TokenizerSpec(boolean lowercase, String tokenRegex) {}

  /**
   * @param inputSize S: the model input is S × S
   * @param maxSubsampleSide M of preprocessing rule 3
   * @param preprocessing the version of the preprocessing rules
   */
  public record ImageSpec(
      int inputSize,
      String layout,
      String dtype,
      String channels,
      int maxSubsampleSide,
      int preprocessing) {}

  /**
   * @param count regions per image: the detections, then the whole image
   * @param detections the first {@code detections} regions are detected boxes, best first
   * @param wholeImageIndex the region that is the whole image (the last)
   * @param scoreThreshold a detection at least this sure is an object (dense captions); boxed so
   *     that a missing value is told from 0
   */
  public record RegionSpec(
      int count, int detections, int wholeImageIndex, Double scoreThreshold, String boxFormat) {}

  public record AlignmentSpec(int embeddingSize, double mrfBeta, String sentenceEncoder) {}

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

  /** Whether the package has {@code graph} (every required one, region_decoder optionally). */
  public boolean has(Graph graph) {
    return graphs != null && graphs.containsKey(graph.key);
  }

  /** Whether the package can caption regions (it has a region decoder). */
  public boolean regionCaptions() {
    return regionDecoder != null && has(Graph.REGION_DECODER);
  }

  /**
   * The most images one {@code image_encoder} run may take: its input's batch axis, unbounded when
   * symbolic ("batch") and fixed when a number (1 for the pretrained torchvision front end).
   */
  public int maxImageBatch() {
    long first =
        graph(Graph.IMAGE_ENCODER).inputs().stream()
            .filter(t -> GraphNames.IMAGE.equals(t.name()))
            .findFirst()
            .map(t -> t.dims()[0])
            .orElse(1L);
    return first < 0 ? Integer.MAX_VALUE : (int) first;
  }

  /**
   * The spec of {@code graph}.
   *
   * @throws AligncapException (MODEL_PACKAGE) when the manifest does not declare it
   */
  public GraphSpec graph(Graph graph) {
    GraphSpec spec = graphs == null ? null : graphs.get(graph.key);
    if (spec == null) {
      throw new AligncapException(
          MODEL_PACKAGE,
          "manifest.json: graphs."
              + graph
              + " is missing, expected "
              + Arrays.stream(Graph.values()).filter(g -> g.required).toList()
              + (graph.required ? "" : " and, for region captions, " + graph));
    }
    return spec;
  }
}
