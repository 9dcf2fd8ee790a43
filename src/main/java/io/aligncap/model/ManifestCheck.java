package io.aligncap.model;

import static io.aligncap.AligncapException.Kind.MODEL_PACKAGE;
import static io.aligncap.model.GraphNames.*;

import io.aligncap.AligncapException;
import java.util.Arrays;
import java.util.List;

/**
 * Internal consistency of a manifest: the fields a reader depends on are present and agree with
 * each other (e.g. the decoder's {@code log_probs} width is the vocabulary size, the image
 * encoder's {@code image_bias} width is the decoder's {@code bias_size}). A mismatch here would
 * otherwise surface as a shape error on the first request.
 */
final class ManifestCheck {

  private ManifestCheck() {}

  static void check(Manifest m) {
    require(m.vocabulary() != null, "vocabulary is missing");
    require(
        m.tokenizer() != null && m.tokenizer().tokenRegex() != null,
        "tokenizer.token_regex is missing");
    require(m.image() != null, "image is missing");
    require(m.regions() != null, "regions is missing");
    require(m.alignment() != null, "alignment is missing");
    require(m.decoder() != null, "decoder is missing");
    require(m.regionDecoder() != null, "region_decoder is missing");

    Manifest.ImageSpec image = m.image();
    require(image.inputSize() > 0, "image.input_size must be > 0, is " + image.inputSize());
    require(image.maxSubsampleSide() > 0, "image.max_subsample_side must be > 0");
    require("NHWC".equals(image.layout()), "image.layout is " + image.layout() + ", expected NHWC");
    require("uint8".equals(image.dtype()), "image.dtype is " + image.dtype() + ", expected uint8");
    require(
        "RGB".equals(image.channels()), "image.channels is " + image.channels() + ", expected RGB");

    Manifest.RegionSpec regions = m.regions();
    require(
        regions.count() == regions.grid() * regions.grid() + 1,
        "regions.count is "
            + regions.count()
            + ", expected grid*grid+1 = "
            + (regions.grid() * regions.grid() + 1));
    require(
        regions.wholeImageIndex() >= 0 && regions.wholeImageIndex() < regions.count(),
        "regions.whole_image_index "
            + regions.wholeImageIndex()
            + " is outside [0, "
            + regions.count()
            + ")");

    int vocab = m.vocabulary().size();
    int embed = m.alignment().embeddingSize();
    int count = regions.count();
    checkDecoder(m, Graph.DECODER, m.decoder(), vocab);
    checkDecoder(m, Graph.REGION_DECODER, m.regionDecoder(), vocab);

    Manifest.GraphSpec enc = m.graph(Graph.IMAGE_ENCODER);
    tensor(Graph.IMAGE_ENCODER, enc.inputs(), PIXELS, -1, -1, -1, 3);
    tensor(Graph.IMAGE_ENCODER, enc.outputs(), IMAGE_BIAS, -1, m.decoder().biasSize());
    tensor(Graph.IMAGE_ENCODER, enc.outputs(), REGION_EMBEDDINGS, -1, count, embed);
    tensor(
        Graph.IMAGE_ENCODER, enc.outputs(), REGION_BIAS, -1, count, m.regionDecoder().biasSize());
    tensor(Graph.IMAGE_ENCODER, enc.outputs(), REGION_BOXES, count, 4);

    Manifest.GraphSpec sent = m.graph(Graph.SENTENCE_ENCODER);
    tensor(Graph.SENTENCE_ENCODER, sent.inputs(), TOKENS, -1, -1);
    tensor(Graph.SENTENCE_ENCODER, sent.inputs(), LENGTHS, -1);
    tensor(Graph.SENTENCE_ENCODER, sent.outputs(), WORD_VECTORS, -1, -1, embed);
  }

  private static void checkDecoder(Manifest m, Graph key, Manifest.DecoderSpec d, int vocab) {
    require(d.stateNames() != null && !d.stateNames().isEmpty(), key + ".state_names is empty");
    require(d.maxLength() > 0, key + ".max_length must be > 0");
    Manifest.GraphSpec g = m.graph(key);
    tensor(key, g.inputs(), TOKEN, -1);
    tensor(key, g.inputs(), IMAGE_BIAS, -1, d.biasSize());
    tensor(key, g.outputs(), LOG_PROBS, -1, vocab);
    for (String state : d.stateNames()) {
      tensor(key, g.inputs(), state, -1, d.hiddenSize());
      tensor(key, g.outputs(), stateOutput(state), -1, d.hiddenSize());
    }
  }

  /**
   * Requires tensor {@code name} in {@code list} with the given rank; an expected dimension of -1
   * accepts any (symbolic or fixed) declared dimension, others must match a fixed one.
   */
  private static void tensor(
      Graph graph, List<Manifest.TensorSpec> list, String name, long... expected) {
    Manifest.TensorSpec t =
        list == null
            ? null
            : list.stream().filter(s -> name.equals(s.name())).findFirst().orElse(null);
    require(t != null, "graphs." + graph + " does not declare tensor \"" + name + "\"");
    long[] dims = t.dims();
    boolean ok = dims.length == expected.length;
    for (int i = 0; ok && i < dims.length; i++) {
      ok = expected[i] < 0 || dims[i] < 0 || dims[i] == expected[i];
    }
    require(
        ok,
        "graphs."
            + graph
            + " tensor \""
            + name
            + "\" has shape "
            + t.shape()
            + ", expected "
            + Arrays.toString(expected).replace("-1", "?"));
  }

  private static void require(boolean condition, String problem) {
    if (!condition) {
      throw new AligncapException(MODEL_PACKAGE, ModelPackage.MANIFEST + ": " + problem);
    }
  }
}
