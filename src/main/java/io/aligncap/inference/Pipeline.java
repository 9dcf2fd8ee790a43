package io.aligncap.inference;

import io.aligncap.config.AligncapConfig;
import io.aligncap.image.DecodedImage;
import io.aligncap.image.ImageDecoder;
import io.aligncap.image.ImageLimits;
import io.aligncap.model.Graph;
import io.aligncap.model.Manifest;
import io.aligncap.model.ModelPackage;
import io.aligncap.model.Vocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The stages of one loaded package (models/FORMAT.md version 2, the Java twin of the Python
 * reference pipeline, training/aligncap/pipeline.py): decoding by preprocessing rules 1–4 with the
 * package's M, the {@code preprocess} graph (rule 5), the image encoder with its detections, beam
 * search over the decoder, the sentence encoder and the alignment, the box encoder and greedy
 * region and dense captions. It owns the package's ONNX Runtime sessions and is the only way to
 * them, so a new package format changes this class and the encoders it holds, not the edges. {@link
 * ServedModel} creates, warms and closes it; {@link Captioner} runs requests on it with options
 * already checked. Thread-safe.
 */
final class Pipeline implements AutoCloseable {

  static final String ALIGNMENT = "alignment";

  private final ModelPackage pkg;
  private final OnnxModel model;
  private final ImageDecoder decoder;
  private final ImageEncoder images;
  private final BoxEncoder boxes;
  private final SentenceEncoder sentences;
  private final Tokenizer tokenizer;
  private final BeamSearch beamSearch;
  private final DecoderStep decoderStep;
  private final DecoderStep regionDecoderStep;

  /**
   * Opens the package's sessions with the configured providers.
   *
   * @throws io.aligncap.AligncapException (MODEL_PACKAGE) when a graph does not load or does not
   *     match its manifest
   */
  Pipeline(ModelPackage pkg, AligncapConfig config) {
    Manifest m = pkg.manifest();
    Vocabulary vocab = pkg.vocabulary();
    AligncapConfig.Image image = config.image();
    this.pkg = pkg;
    this.decoder =
        new ImageDecoder(
            new ImageLimits(
                image.maxBytes(),
                image.maxWidth(),
                image.maxHeight(),
                image.maxPixels(),
                image.maxDecodeBytes(),
                m.image().maxSubsampleSide()));
    this.model = new OnnxModel(pkg, config.inference());
    this.images = new ImageEncoder(model, config.batching());
    this.boxes = m.regionCaptions() ? new BoxEncoder(model) : null;
    this.sentences = new SentenceEncoder(model);
    this.tokenizer = new Tokenizer(m.tokenizer().lowercase(), m.tokenizer().tokenRegex(), vocab);
    this.beamSearch =
        new BeamSearch(vocab.size(), vocab.startId(), vocab.endId(), vocab.neverEmitted());
    this.decoderStep = new DecoderStep(model, Graph.DECODER, m.decoder(), config.batching());
    this.regionDecoderStep =
        m.regionCaptions()
            ? new DecoderStep(model, Graph.REGION_DECODER, m.regionDecoder(), config.batching())
            : null;
  }

  Manifest manifest() {
    return pkg.manifest();
  }

  ExecutionProviders.Choice providers() {
    return model.providers();
  }

  /** See {@link ImageDecoder#decode}; the limits are the configured ones and the package's. */
  DecodedImage decode(byte[] bytes, String contentType) {
    return decoder.decode(bytes, contentType);
  }

  Tokenizer.Tokens tokenize(String sentence) {
    return tokenizer.tokenize(sentence == null ? "" : sentence);
  }

  /** The model input of rule 5 ({@code preprocess}), {@code S·S·3} bytes: for the parity test. */
  byte[] modelInput(DecodedImage image) {
    return images.modelInput(image);
  }

  /**
   * Captions by beam search, with the best caption's MRF snippets (the model's β), greedy captions
   * of the plan's boxes and, when the plan says so, dense captions.
   */
  CaptionResult caption(DecodedImage image, DecodingPlan plan, StageTimings t) {
    Manifest m = pkg.manifest();
    ImageEncoder.Features f = encode(image, t);
    List<BeamSearch.Hypothesis> found =
        t.time(
            Graph.DECODER.key,
            () ->
                beamSearch.search(
                    decoderStep.forImage(f.imageBias()),
                    plan.beamSize(),
                    plan.maxLength(),
                    plan.alpha()));
    List<Caption> captions = found.stream().limit(plan.results()).map(this::caption).toList();
    List<Snippet> snippets = List.of();
    if (!found.isEmpty() && found.get(0).tokens().length > 0) {
      int[] best = found.get(0).tokens(); // words only: END is not aligned
      List<String> words = pkg.vocabulary().words(best);
      float[][] vectors =
          t.time(Graph.SENTENCE_ENCODER.key, () -> sentences.encode(List.of(best)).get(0));
      snippets =
          t.time(
              ALIGNMENT,
              () -> Alignments.snippets(f, vectors, image, words, m.alignment().mrfBeta()));
    }
    List<RegionCaption> regions = new ArrayList<>();
    if (!plan.boxes().isEmpty()) {
      List<double[]> normalised =
          plan.boxes().stream()
              .map(b -> Regions.normalised(b, image.sourceWidth(), image.sourceHeight()))
              .toList();
      float[][] bias = t.time(Graph.BOX_ENCODER.key, () -> boxes.regionBias(f, normalised));
      for (int i = 0; i < bias.length; i++) {
        regions.add(new RegionCaption(plan.boxes().get(i), regionCaption(bias[i], t)));
      }
    }
    List<DenseCaption> dense = plan.dense() ? dense(f, image, t) : null;
    return new CaptionResult(
        m.modelId(),
        m.modelVersion(),
        providers().primary(),
        image.sourceWidth(),
        image.sourceHeight(),
        captions,
        snippets,
        regions,
        dense,
        t.millis());
  }

  /** S_kl, each word's best region and strength, and the MRF snippets with {@code beta}. */
  AlignmentResult align(
      DecodedImage image, String sentence, Tokenizer.Tokens tokens, double beta, StageTimings t) {
    Manifest m = pkg.manifest();
    ImageEncoder.Features f = encode(image, t);
    float[][] words = t.time(Graph.SENTENCE_ENCODER.key, () -> wordVectors(tokens.ids()));
    Alignments.Aligned a = t.time(ALIGNMENT, () -> Alignments.align(f, words, image, tokens, beta));
    return new AlignmentResult(
        m.modelId(),
        m.modelVersion(),
        providers().primary(),
        image.sourceWidth(),
        image.sourceHeight(),
        sentence,
        a.score(),
        beta,
        a.words(),
        a.snippets(),
        t.millis());
  }

  /**
   * The candidates sorted by S_kl, best first; ties keep their order. Each candidate is scored
   * exactly as {@link #align} scores a sentence (issue 11: one path, one precision): encoded on its
   * own, since a batch padded to its longest sentence changes the floats.
   */
  RankingResult rank(DecodedImage image, List<String> candidates, List<int[]> ids, StageTimings t) {
    Manifest m = pkg.manifest();
    ImageEncoder.Features f = encode(image, t);
    List<float[][]> words =
        t.time(Graph.SENTENCE_ENCODER.key, () -> ids.stream().map(this::wordVectors).toList());
    List<RankingResult.Ranked> ranked =
        t.time(
            ALIGNMENT,
            () ->
                IntStream.range(0, candidates.size())
                    .mapToObj(
                        i ->
                            new RankingResult.Ranked(
                                i, candidates.get(i), Alignments.score(f, words.get(i))))
                    .sorted(Comparator.comparingDouble(RankingResult.Ranked::score).reversed())
                    .toList());
    return new RankingResult(
        m.modelId(),
        m.modelVersion(),
        providers().primary(),
        image.sourceWidth(),
        image.sourceHeight(),
        ranked,
        t.millis());
  }

  /** One sentence's word vectors s_t, {@code [length][embedding]}. */
  private float[][] wordVectors(int[] ids) {
    return sentences.encode(List.of(ids)).get(0);
  }

  /**
   * The image encoder's detections of an image: normalised boxes and scores, for the parity test.
   */
  ImageEncoder.Features features(DecodedImage image) {
    return images.encode(image);
  }

  /**
   * Greedy captions of boxes normalised to [0, 1], as the golden file states them (the public API
   * takes pixels). For the parity test.
   */
  List<Caption> boxCaptions(DecodedImage image, List<double[]> normalisedBoxes) {
    ImageEncoder.Features f = images.encode(image);
    StageTimings t = new StageTimings(null);
    return Arrays.stream(boxes.regionBias(f, normalisedBoxes))
        .map(b -> regionCaption(b, t))
        .toList();
  }

  /**
   * Every graph once on a blank input-size image: a caption with its snippets, and, with a region
   * decoder, a box caption and dense captions.
   */
  void warmUp() {
    Manifest m = pkg.manifest();
    int side = m.image().inputSize();
    DecodedImage blank = DecodedImage.ofRgb(side, side, new byte[side * side * 3]);
    List<double[]> box =
        m.regionCaptions() ? List.of(new double[] {0, 0, side / 2.0, side / 2.0}) : List.of();
    DecodingPlan plan =
        new DecodingPlan(1, m.decoder().maxLength(), 0.0, 1, box, m.regionCaptions());
    caption(blank, plan, new StageTimings(null));
  }

  /** Rule 5 and the image encoder, timed as their graphs. */
  private ImageEncoder.Features encode(DecodedImage image, StageTimings t) {
    byte[] input = t.time(Graph.PREPROCESS.key, () -> images.modelInput(image));
    return t.time(Graph.IMAGE_ENCODER.key, () -> images.encodeOne(input));
  }

  /** models/FORMAT.md "Dense captions": the sure detections, best first, with their captions. */
  private List<DenseCaption> dense(ImageEncoder.Features f, DecodedImage image, StageTimings t) {
    Manifest.RegionSpec r = pkg.manifest().regions();
    List<DenseCaption> out = new ArrayList<>();
    for (int i : Regions.dense(f.regionScores(), r.detections(), r.scoreThreshold())) {
      out.add(
          new DenseCaption(
              Regions.pixels(f.regionBoxes()[i], image.sourceWidth(), image.sourceHeight()),
              f.regionScores()[i],
              regionCaption(f.regionBias()[i], t)));
    }
    return out;
  }

  /** A greedy caption of a region's b_v with {@code region_decoder} (FORMAT.md). */
  private Caption regionCaption(float[] bias, StageTimings t) {
    Manifest.DecoderSpec spec = pkg.manifest().regionDecoder();
    BeamSearch.StepFunction step = regionDecoderStep.forImage(bias);
    return t.time(
        Graph.REGION_DECODER.key,
        () -> caption(beamSearch.search(step, 1, spec.maxLength(), 0.0).get(0)));
  }

  private Caption caption(BeamSearch.Hypothesis h) {
    Vocabulary vocab = pkg.vocabulary();
    List<String> words = vocab.words(h.tokens());
    int[] tokens = h.tokens();
    if (h.ended()) {
      tokens = Arrays.copyOf(tokens, tokens.length + 1);
      tokens[tokens.length - 1] = vocab.endId();
    }
    return new Caption(words, String.join(" ", words), tokens, h.logProb(), h.score());
  }

  /**
   * Per batched graph, the runs so far and the items they held (images, or searches for a decoder
   * step): their ratio is the mean group size. Zeros without batching.
   */
  java.util.Map<String, long[]> batchCounts() {
    java.util.Map<String, long[]> out = new java.util.LinkedHashMap<>();
    out.put(Graph.IMAGE_ENCODER.key, images.batchCounts());
    out.put(Graph.DECODER.key, decoderStep.batchCounts());
    if (regionDecoderStep != null) {
      out.put(Graph.REGION_DECODER.key, regionDecoderStep.batchCounts());
    }
    return out;
  }

  @Override
  public void close() {
    model.close();
  }
}
