package io.aligncap.model;

import static io.aligncap.AligncapException.Kind.MODEL_PACKAGE;
import static io.aligncap.model.GraphNames.*;

import io.aligncap.AligncapException;
import java.util.Arrays;
import java.util.List;

/**
 * Internal consistency of a version-2 manifest: the fields a reader depends on are present and
 * agree with each other (e.g. the decoder's {@code log_probs} width is the vocabulary size, the
 * image encoder's {@code image_bias} width is the decoder's {@code bias_size}, {@code box_encoder}
 * takes the feature map {@code image_encoder} gives). A mismatch here would otherwise surface as a
 * shape error on the first request.
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
    require(
        (m.regionDecoder() == null) == !m.has(Graph.REGION_DECODER),
        "region_decoder and graphs.region_decoder must both be present or both absent");

    Manifest.ImageSpec image = m.image();
    int side = image.inputSize();
    require(side > 0, "image.input_size must be > 0, is " + side);
    require(image.maxSubsampleSide() > 0, "image.max_subsample_side must be > 0");
    require(
        image.preprocessing() == Manifest.PREPROCESSING,
        "image.preprocessing is "
            + image.preprocessing()
            + ", this service implements preprocessing version "
            + Manifest.PREPROCESSING);
    require("NHWC".equals(image.layout()), "image.layout is " + image.layout() + ", expected NHWC");
    require("uint8".equals(image.dtype()), "image.dtype is " + image.dtype() + ", expected uint8");
    require(
        "RGB".equals(image.channels()), "image.channels is " + image.channels() + ", expected RGB");

    Manifest.RegionSpec regions = m.regions();
    int count = regions.count();
    require(
        regions.detections() >= 0 && count == regions.detections() + 1,
        "regions.count is " + count + ", expected detections + 1 = " + (regions.detections() + 1));
    require(
        regions.wholeImageIndex() == regions.detections(),
        "regions.whole_image_index is "
            + regions.wholeImageIndex()
            + ", expected the last region, "
            + regions.detections());
    require(
        regions.scoreThreshold() != null
            && regions.scoreThreshold() >= 0
            && regions.scoreThreshold() <= 1,
        "regions.score_threshold is " + regions.scoreThreshold() + ", expected a number in [0, 1]");

    int vocab = m.vocabulary().size();
    int embed = m.alignment().embeddingSize();
    checkDecoder(m, Graph.DECODER, m.decoder(), vocab);
    boolean regionBias = m.regionDecoder() != null;
    if (regionBias) {
      checkDecoder(m, Graph.REGION_DECODER, m.regionDecoder(), vocab);
    }

    Manifest.GraphSpec pre = m.graph(Graph.PREPROCESS);
    tensor(Graph.PREPROCESS, pre.inputs(), PIXELS, "uint8", -1, -1, -1, 3);
    tensor(Graph.PREPROCESS, pre.outputs(), IMAGE, "uint8", -1, side, side, 3);

    Manifest.GraphSpec enc = m.graph(Graph.IMAGE_ENCODER);
    tensor(Graph.IMAGE_ENCODER, enc.inputs(), IMAGE, "uint8", -1, side, side, 3);
    long batch = find(enc.inputs(), IMAGE).dims()[0];
    require(
        batch < 0 || batch >= 1,
        "graphs.image_encoder input \"image\" has batch axis " + batch + ", expected >= 1");
    tensor(Graph.IMAGE_ENCODER, enc.outputs(), IMAGE_BIAS, "float32", -1, m.decoder().biasSize());
    tensor(Graph.IMAGE_ENCODER, enc.outputs(), REGION_BOXES, "float32", -1, count, 4);
    tensor(Graph.IMAGE_ENCODER, enc.outputs(), REGION_SCORES, "float32", -1, count);
    tensor(Graph.IMAGE_ENCODER, enc.outputs(), REGION_EMBEDDINGS, "float32", -1, count, embed);
    long[] map = tensor(Graph.IMAGE_ENCODER, enc.outputs(), FEATURE_MAP, "float32", -1, -1, -1, -1);

    Manifest.GraphSpec box = m.graph(Graph.BOX_ENCODER);
    tensor(Graph.BOX_ENCODER, box.inputs(), FEATURE_MAP, "float32", 1, map[1], map[2], map[3]);
    tensor(Graph.BOX_ENCODER, box.inputs(), BOXES, "float32", -1, 4);
    tensor(Graph.BOX_ENCODER, box.outputs(), REGION_EMBEDDINGS, "float32", -1, embed);
    if (regionBias) {
      int width = m.regionDecoder().biasSize();
      tensor(Graph.IMAGE_ENCODER, enc.outputs(), REGION_BIAS, "float32", -1, count, width);
      tensor(Graph.BOX_ENCODER, box.outputs(), REGION_BIAS, "float32", -1, width);
    } else {
      require(
          find(enc.outputs(), REGION_BIAS) == null && find(box.outputs(), REGION_BIAS) == null,
          "a package without region_decoder has no \"region_bias\" outputs");
    }

    Manifest.GraphSpec sent = m.graph(Graph.SENTENCE_ENCODER);
    tensor(Graph.SENTENCE_ENCODER, sent.inputs(), TOKENS, "int64", -1, -1);
    tensor(Graph.SENTENCE_ENCODER, sent.inputs(), LENGTHS, "int64", -1);
    tensor(Graph.SENTENCE_ENCODER, sent.outputs(), WORD_VECTORS, "float32", -1, -1, embed);
  }

  private static void checkDecoder(Manifest m, Graph key, Manifest.DecoderSpec d, int vocab) {
    require(d.stateNames() != null && !d.stateNames().isEmpty(), key + ".state_names is empty");
    require(d.maxLength() > 0, key + ".max_length must be > 0");
    Manifest.GraphSpec g = m.graph(key);
    tensor(key, g.inputs(), TOKEN, "int64", -1);
    tensor(key, g.inputs(), IMAGE_BIAS, "float32", -1, d.biasSize());
    tensor(key, g.outputs(), LOG_PROBS, "float32", -1, vocab);
    for (String state : d.stateNames()) {
      tensor(key, g.inputs(), state, "float32", -1, d.hiddenSize());
      tensor(key, g.outputs(), stateOutput(state), "float32", -1, d.hiddenSize());
    }
  }

  /**
   * Requires tensor {@code name} in {@code list} with the given dtype and rank; an expected
   * dimension of -1 accepts any (symbolic or fixed) declared dimension, others must match a fixed
   * one.
   *
   * @return the declared dimensions, -1 for a symbolic one
   */
  private static long[] tensor(
      Graph graph, List<Manifest.TensorSpec> list, String name, String dtype, long... expected) {
    Manifest.TensorSpec t = find(list, name);
    require(t != null, "graphs." + graph + " does not declare tensor \"" + name + "\"");
    require(
        dtype.equals(t.dtype()),
        "graphs." + graph + " tensor \"" + name + "\" is " + t.dtype() + ", expected " + dtype);
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
    return dims;
  }

  private static Manifest.TensorSpec find(List<Manifest.TensorSpec> list, String name) {
    return list == null
        ? null
        : list.stream().filter(s -> name.equals(s.name())).findFirst().orElse(null);
  }

  private static void require(boolean condition, String problem) {
    if (!condition) {
      throw new AligncapException(MODEL_PACKAGE, ModelPackage.MANIFEST + ": " + problem);
    }
  }
}
