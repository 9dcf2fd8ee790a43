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
 * The stages of one loaded package (models/FORMAT.md, the Java twin of the Python reference
 * pipeline): decoding with the package's limits, the image encoder, beam search over the decoder,
 * the sentence encoder and the alignment, greedy region captions. It owns the package's ONNX
 * Runtime sessions and is the only way to them, so a new package format changes this class and the
 * encoders it holds, not the edges. {@link ServedModel} creates, warms and closes it; {@link
 * Captioner} runs requests on it with options already checked. Thread-safe.
 */
final class Pipeline implements AutoCloseable {

  static final String ALIGNMENT = "alignment";

  private final ModelPackage pkg;
  private final OnnxModel model;
  private final ImageDecoder decoder;
  private final ImageEncoder images;
  private final SentenceEncoder sentences;
  private final Tokenizer tokenizer;
  private final BeamSearch beamSearch;
  private final Alignments alignments;

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
                image.subsample() ? m.image().maxSubsampleSide() : Integer.MAX_VALUE));
    this.model = new OnnxModel(pkg, config.inference());
    this.images = new ImageEncoder(model);
    this.sentences = new SentenceEncoder(model);
    this.tokenizer = new Tokenizer(m.tokenizer().lowercase(), m.tokenizer().tokenRegex(), vocab);
    this.beamSearch =
        new BeamSearch(vocab.size(), vocab.startId(), vocab.endId(), vocab.neverEmitted());
    this.alignments = new Alignments(m.alignment().mrfBeta());
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

  /**
   * Captions by beam search, with the best caption's MRF snippets and greedy captions of the plan's
   * boxes.
   */
  CaptionResult caption(DecodedImage image, DecodingPlan plan, StageTimings t) {
    Manifest m = pkg.manifest();
    ImageEncoder.Features f = t.time(Graph.IMAGE_ENCODER.key, () -> images.encode(image));
    List<BeamSearch.Hypothesis> found =
        t.time(
            Graph.DECODER.key,
            () ->
                beamSearch.search(
                    new DecoderStep(model, Graph.DECODER, m.decoder(), f.imageBias()),
                    plan.beamSize(),
                    plan.maxLength(),
                    plan.alpha()));
    List<Caption> captions = found.stream().limit(plan.results()).map(this::caption).toList();
    List<Snippet> snippets = List.of();
    if (!found.isEmpty() && found.get(0).tokens().length > 0) {
      int[] best = found.get(0).tokens(); // words only: END is not aligned
      List<String> words = pkg.vocabulary().words(best);
      snippets =
          t.time(
              ALIGNMENT,
              () -> alignments.snippets(f, sentences.encode(List.of(best)).get(0), image, words));
    }
    List<RegionCaption> regions = new ArrayList<>();
    for (double[] box : plan.boxes()) {
      double[] normalised = {
        box[0] / image.sourceWidth(), box[1] / image.sourceHeight(),
        box[2] / image.sourceWidth(), box[3] / image.sourceHeight()
      };
      Caption c = t.time(Graph.REGION_DECODER.key, () -> regionCaption(f, normalised));
      regions.add(new RegionCaption(box, c));
    }
    return new CaptionResult(
        m.modelId(),
        m.modelVersion(),
        providers().primary(),
        image.sourceWidth(),
        image.sourceHeight(),
        captions,
        snippets,
        regions,
        t.millis());
  }

  /** S_kl, each word's best region and the MRF snippets of a tokenised sentence. */
  AlignmentResult align(
      DecodedImage image, String sentence, Tokenizer.Tokens tokens, StageTimings t) {
    Manifest m = pkg.manifest();
    ImageEncoder.Features f = t.time(Graph.IMAGE_ENCODER.key, () -> images.encode(image));
    float[][] words =
        t.time(Graph.SENTENCE_ENCODER.key, () -> sentences.encode(List.of(tokens.ids())).get(0));
    Alignments.Aligned a = t.time(ALIGNMENT, () -> alignments.align(f, words, image, tokens));
    return new AlignmentResult(
        m.modelId(),
        m.modelVersion(),
        providers().primary(),
        image.sourceWidth(),
        image.sourceHeight(),
        sentence,
        a.score(),
        a.words(),
        a.snippets(),
        t.millis());
  }

  /** The candidates sorted by S_kl, best first; ties keep their order. */
  RankingResult rank(DecodedImage image, List<String> candidates, List<int[]> ids, StageTimings t) {
    Manifest m = pkg.manifest();
    ImageEncoder.Features f = t.time(Graph.IMAGE_ENCODER.key, () -> images.encode(image));
    List<float[][]> words = t.time(Graph.SENTENCE_ENCODER.key, () -> sentences.encode(ids));
    List<RankingResult.Ranked> ranked =
        t.time(
            ALIGNMENT,
            () ->
                IntStream.range(0, candidates.size())
                    .mapToObj(
                        i ->
                            new RankingResult.Ranked(
                                i,
                                candidates.get(i),
                                Scorer.score(Scorer.dots(words.get(i), f.regionEmbeddings()))))
                    .sorted(Comparator.comparingDouble(RankingResult.Ranked::score).reversed())
                    .toList());
    return new RankingResult(
        m.modelId(), m.modelVersion(), providers().primary(), ranked, t.millis());
  }

  /**
   * Greedy captions of boxes normalised to [0, 1], as the golden file states them (the public API
   * takes pixels). For the parity test.
   */
  List<Caption> regionCaptions(DecodedImage image, List<double[]> normalisedBoxes) {
    ImageEncoder.Features f = images.encode(image);
    return normalisedBoxes.stream().map(b -> regionCaption(f, b)).toList();
  }

  /** One caption, one region caption and one snippet alignment on a blank input-size image. */
  void warmUp() {
    int side = pkg.manifest().image().inputSize();
    DecodedImage blank = DecodedImage.ofRgb(side, side, new byte[side * side * 3]);
    List<double[]> box = List.of(new double[] {0, 0, side / 2.0, side / 2.0});
    int maxLength = pkg.manifest().decoder().maxLength();
    caption(blank, new DecodingPlan(1, maxLength, 0.0, 1, box), new StageTimings(null));
  }

  /** A greedy caption of a normalised box with {@code region_decoder} (FORMAT.md). */
  private Caption regionCaption(ImageEncoder.Features f, double[] normalisedBox) {
    Manifest m = pkg.manifest();
    float[] bias =
        RegionPooling.pool(
            f.regionBias(), f.regionBoxes(), m.regions().wholeImageIndex(), normalisedBox);
    DecoderStep step = new DecoderStep(model, Graph.REGION_DECODER, m.regionDecoder(), bias);
    return caption(beamSearch.search(step, 1, m.regionDecoder().maxLength(), 0.0).get(0));
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

  @Override
  public void close() {
    model.close();
  }
}
