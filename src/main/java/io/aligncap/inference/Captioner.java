package io.aligncap.inference;

import static io.aligncap.AligncapException.Kind.INFERENCE;
import static io.aligncap.AligncapException.Kind.INVALID_OPTIONS;
import static io.aligncap.AligncapException.Kind.NOT_READY;

import io.aligncap.model.Vocabulary;
import io.aligncap.AligncapException;
import io.aligncap.config.AligncapConfig;
import io.aligncap.image.DecodedImage;
import io.aligncap.model.Graph;
import io.aligncap.model.Manifest;
import io.aligncap.model.ModelPackage;
import io.aligncap.model.ModelRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.jboss.logging.Logger;

/**
 * The one core service: captions, region captions, alignments and rankings of decoded images.
 * REST resources, Lambda handlers and the queue worker only translate their input and call it.
 * At start-up it loads the model package, creates the sessions and warms them with one
 * inference; until then (and in strict GPU mode without a GPU) every call throws
 * {@link AligncapException} (NOT_READY). Thread-safe.
 */
@ApplicationScoped
public class Captioner {

  private static final Logger LOG = Logger.getLogger(Captioner.class);

  private final ModelRegistry registry;
  private final AligncapConfig config;
  private final ReadinessState state;
  private final MeterRegistry meters;
  private volatile Engine engine;

  Captioner(ModelRegistry registry, AligncapConfig config, ReadinessState state, MeterRegistry meters) {
    this.registry = registry;
    this.config = config;
    this.state = state;
    this.meters = meters;
  }

  /** Sessions and the pieces built on them, created once. */
  private record Engine(
      ModelPackage pkg,
      OnnxModel model,
      ImageEncoder images,
      SentenceEncoder sentences,
      Tokenizer tokenizer,
      BeamSearch beamSearch,
      Alignments alignments) {}

  void onStart(@Observes StartupEvent event) {
    start();
  }

  /** Loads, checks and warms the model; a broken package fails start-up here. */
  synchronized void start() {
    if (engine != null) {
      return;
    }
    long begin = System.nanoTime();
    ModelPackage pkg = registry.current();
    Manifest m = pkg.manifest();
    OnnxModel model = new OnnxModel(pkg, config.inference());
    Vocabulary vocab = pkg.vocabulary();
    Engine e =
        new Engine(
            pkg,
            model,
            new ImageEncoder(model),
            new SentenceEncoder(model),
            new Tokenizer(m.tokenizer().lowercase(), m.tokenizer().tokenRegex(), vocab),
            new BeamSearch(vocab.size(), vocab.startId(), vocab.endId(), vocab.neverEmitted()),
            new Alignments(m.alignment().mrfBeta()));
    engine = e;
    ExecutionProviders.Choice providers = model.providers();
    state.markLoaded(providers.primary());
    if (config.inference().requireGpu() && !providers.gpu()) {
      String reason =
          "aligncap.inference.require-gpu is set but no GPU provider could be added "
              + providers.skipped();
      state.refuse(reason);
      LOG.error(reason);
    }
    warmUp(e);
    state.markWarm();
    LOG.infof(
        "Captioner ready: model %s %s on %s in %d ms",
        m.modelId(), m.modelVersion(), providers.primary(), (System.nanoTime() - begin) / 1_000_000);
  }

  /** One caption, one region caption and one alignment on a blank image of the input size. */
  private void warmUp(Engine e) {
    int side = e.pkg().manifest().image().inputSize();
    DecodedImage blank = DecodedImage.ofRgb(side, side, new byte[side * side * 3]);
    List<double[]> box = List.of(new double[] {0, 0, side / 2.0, side / 2.0});
    doCaption(e, blank, new CaptionOptions(1, null, null, null, box));
  }

  /** The execution provider in use ("cpu", "cuda", "tensorrt"), or null before start-up. */
  public String provider() {
    return state.provider();
  }

  /**
   * Captions an image by beam search, with the best caption's MRF snippets and greedy captions
   * of the requested boxes.
   *
   * @throws AligncapException (INVALID_OPTIONS) when an option is out of range
   * @throws AligncapException (NOT_READY) before warm-up, or in strict GPU mode without a GPU
   * @throws AligncapException (INFERENCE) when ONNX Runtime fails
   */
  public CaptionResult caption(DecodedImage image, CaptionOptions options) {
    return doCaption(ready(), image, options == null ? CaptionOptions.defaults() : options);
  }

  /**
   * Aligns a sentence to the image's regions: S_kl, each word's best region, MRF snippets.
   *
   * @throws AligncapException (INVALID_OPTIONS) when the sentence has no words or too many
   * @throws AligncapException (NOT_READY) before warm-up, or in strict GPU mode without a GPU
   */
  public AlignmentResult align(DecodedImage image, String sentence) {
    Engine e = ready();
    Tokenizer.Tokens tokens = tokens(e, sentence, "sentence");
    StageTimings t = new StageTimings(meters);
    ImageEncoder.Features f = t.time(Graph.IMAGE_ENCODER.key, () -> e.images().encode(image));
    float[][] words = t.time(Graph.SENTENCE_ENCODER.key, () -> e.sentences().encode(List.of(tokens.ids())).get(0));
    Alignments.Aligned a = t.time("alignment", () -> e.alignments().align(f, words, image, tokens));
    Manifest m = e.pkg().manifest();
    return new AlignmentResult(
        m.modelId(), m.modelVersion(), state.provider(), image.sourceWidth(), image.sourceHeight(),
        sentence, a.score(), a.words(), a.snippets(), t.millis());
  }

  /**
   * Scores candidate sentences against the image and sorts them by S_kl, best first.
   *
   * @throws AligncapException (INVALID_OPTIONS) when there are no candidates, too many, or one has no words
   * @throws AligncapException (NOT_READY) before warm-up, or in strict GPU mode without a GPU
   */
  public RankingResult rank(DecodedImage image, List<String> sentences) {
    Engine e = ready();
    int max = config.alignment().maxCandidates();
    if (sentences == null || sentences.isEmpty() || sentences.size() > max) {
      throw new AligncapException(INVALID_OPTIONS, "expected 1 to " + max + " candidate sentences, got " + (sentences == null ? 0 : sentences.size()));
    }
    List<int[]> ids = new ArrayList<>();
    for (int i = 0; i < sentences.size(); i++) {
      ids.add(tokens(e, sentences.get(i), "candidates[" + i + "]").ids());
    }
    StageTimings t = new StageTimings(meters);
    ImageEncoder.Features f = t.time(Graph.IMAGE_ENCODER.key, () -> e.images().encode(image));
    List<float[][]> words = t.time(Graph.SENTENCE_ENCODER.key, () -> e.sentences().encode(ids));
    List<RankingResult.Ranked> ranked =
        t.time(
            "alignment",
            () ->
                IntStream.range(0, sentences.size())
                    .mapToObj(
                        i ->
                            new RankingResult.Ranked(
                                i, sentences.get(i), Scorer.score(Scorer.dots(words.get(i), f.regionEmbeddings()))))
                    .sorted(Comparator.comparingDouble(RankingResult.Ranked::score).reversed())
                    .toList());
    Manifest m = e.pkg().manifest();
    return new RankingResult(m.modelId(), m.modelVersion(), state.provider(), ranked, t.millis());
  }

  private CaptionResult doCaption(Engine e, DecodedImage image, CaptionOptions options) {
    Manifest m = e.pkg().manifest();
    DecodingPlan plan = DecodingPlan.of(options, config.decoding(), m, image);
    StageTimings t = new StageTimings(meters);
    ImageEncoder.Features f = t.time(Graph.IMAGE_ENCODER.key, () -> e.images().encode(image));
    List<BeamSearch.Hypothesis> found =
        t.time(
            Graph.DECODER.key,
            () ->
                e.beamSearch()
                    .search(
                        new DecoderStep(e.model(), Graph.DECODER, m.decoder(), f.imageBias()),
                        plan.beamSize(), plan.maxLength(), plan.alpha()));
    Vocabulary vocab = e.pkg().vocabulary();
    List<Caption> captions =
        found.stream().limit(plan.results()).map(h -> caption(vocab, h)).toList();
    List<Snippet> snippets = List.of();
    if (!found.isEmpty() && found.get(0).tokens().length > 0) {
      int[] best = found.get(0).tokens(); // words only: END is not aligned
      snippets =
          t.time(
              "alignment",
              () -> {
                float[][] words = e.sentences().encode(List.<int[]>of(best)).get(0);
                return e.alignments().snippets(f, words, image, vocab.words(best));
              });
    }
    List<RegionCaption> regions = new ArrayList<>();
    for (double[] box : plan.boxes()) {
      double[] normalised = {
        box[0] / image.sourceWidth(), box[1] / image.sourceHeight(),
        box[2] / image.sourceWidth(), box[3] / image.sourceHeight()
      };
      regions.add(new RegionCaption(box, t.time(Graph.REGION_DECODER.key, () -> regionCaption(e, f, normalised))));
    }
    return new CaptionResult(
        m.modelId(), m.modelVersion(), state.provider(), image.sourceWidth(), image.sourceHeight(),
        captions, snippets, regions, t.millis());
  }

  /** A greedy caption of a normalised box with {@code region_decoder} (FORMAT.md). */
  private Caption regionCaption(Engine e, ImageEncoder.Features f, double[] normalisedBox) {
    Manifest m = e.pkg().manifest();
    float[] bias =
        RegionPooling.pool(f.regionBias(), f.regionBoxes(), m.regions().wholeImageIndex(), normalisedBox);
    BeamSearch.Hypothesis h =
        e.beamSearch()
            .search(
                new DecoderStep(e.model(), Graph.REGION_DECODER, m.regionDecoder(), bias),
                1, m.regionDecoder().maxLength(), 0.0)
            .get(0);
    return caption(e.pkg().vocabulary(), h);
  }

  /**
   * Greedy captions of boxes given normalised to [0, 1], as the golden file states them (the
   * public API takes pixels). For the parity test.
   */
  List<Caption> regionCaptionsNormalised(DecodedImage image, List<double[]> normalisedBoxes) {
    Engine e = ready();
    ImageEncoder.Features f = e.images().encode(image);
    return normalisedBoxes.stream().map(b -> regionCaption(e, f, b)).toList();
  }

  private static Caption caption(Vocabulary vocab, BeamSearch.Hypothesis h) {
    List<String> words = vocab.words(h.tokens());
    int[] tokens = h.tokens();
    if (h.ended()) {
      tokens = Arrays.copyOf(tokens, tokens.length + 1);
      tokens[tokens.length - 1] = vocab.endId();
    }
    return new Caption(words, String.join(" ", words), tokens, h.logProb(), h.score());
  }

  private Tokenizer.Tokens tokens(Engine e, String sentence, String field) {
    Tokenizer.Tokens tokens = e.tokenizer().tokenize(sentence == null ? "" : sentence);
    int max = config.alignment().maxWords();
    if (tokens.length() == 0 || tokens.length() > max) {
      throw new AligncapException(INVALID_OPTIONS, field + " must have 1 to " + max + " words (matches of "
              + e.pkg().manifest().tokenizer().tokenRegex() + "), has " + tokens.length());
    }
    return tokens;
  }

  private Engine ready() {
    Engine e = engine;
    if (e == null || !state.ready()) {
      throw new AligncapException(NOT_READY, state.refusal() != null ? state.refusal() : "the model is still loading or warming up");
    }
    return e;
  }

  @PreDestroy
  synchronized void close() {
    if (engine != null) {
      engine.model().close();
      engine = null;
    }
  }
}
