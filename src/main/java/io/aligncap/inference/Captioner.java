package io.aligncap.inference;

import static io.aligncap.AligncapException.Kind.INVALID_OPTIONS;
import static io.aligncap.AligncapException.Kind.OVERLOADED;

import io.aligncap.AligncapException;
import io.aligncap.config.AligncapConfig;
import io.aligncap.image.DecodedImage;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The core's one door: the bytes of an image, their media type and the options in; captions, an
 * alignment or a ranking out. REST resources, the Lambda handlers and the queue worker only
 * translate their input and call it. The image is decoded here, once (its limits, its {@code
 * decode} timing and any bound on concurrent decodes belong to {@link #decode}); each option is
 * defaulted and checked here, once, against {@code aligncap.decoding.*} and {@code
 * aligncap.alignment.*}; the stages run on {@link ServedModel}'s pipeline. Thread-safe.
 *
 * <p>Every method throws {@link AligncapException}: INVALID_IMAGE, IMAGE_TOO_LARGE or
 * UNSUPPORTED_MEDIA_TYPE for bytes that do not decode within the limits, INVALID_OPTIONS for an
 * option out of range, NOT_READY before warm-up or in strict GPU mode without a GPU, OVERLOADED
 * when every decode slot stayed busy, INFERENCE when ONNX Runtime fails. Options and sentences are
 * checked before the image is decoded, so a bad one costs no decode.
 */
@ApplicationScoped
public class Captioner {

  static final String DECODE = "decode";

  /** Requests refused because every decode slot stayed busy. */
  static final String OVERLOADED_METER = "aligncap.decode.overloaded";

  private final ServedModel served;
  private final AligncapConfig config;
  private final MeterRegistry meters;

  /** The decode bulkhead: {@code aligncap.image.max-concurrent-decodes} slots, first come first. */
  private final Semaphore decodes;

  Captioner(ServedModel served, AligncapConfig config, MeterRegistry meters) {
    this.served = served;
    this.config = config;
    this.meters = meters;
    this.decodes = new Semaphore(config.image().maxConcurrentDecodes(), true);
  }

  /**
   * Captions an image by beam search, with the best caption's MRF snippets, greedy captions of the
   * requested boxes and, with {@code dense}, of every sure detection.
   *
   * @param contentType the client's media type or null: a hint only, the format is sniffed
   * @param options null for every default
   */
  public CaptionResult caption(byte[] image, String contentType, CaptionOptions options) {
    Pipeline p = served.pipeline();
    StageTimings t = new StageTimings(meters);
    DecodedImage decoded = decode(p, image, contentType, t);
    CaptionOptions o = options == null ? CaptionOptions.defaults() : options;
    return p.caption(decoded, DecodingPlan.of(o, config.decoding(), p.manifest(), decoded), t);
  }

  /**
   * Aligns a sentence to the image's regions: S_kl, each word's best region and strength, MRF
   * snippets.
   *
   * @param beta the MRF's β, 0 to {@code aligncap.alignment.max-beta}; null for the model's {@code
   *     alignment.mrf_beta}
   */
  public AlignmentResult align(byte[] image, String contentType, String sentence, Double beta) {
    Pipeline p = served.pipeline();
    StageTimings t = new StageTimings(meters);
    Tokenizer.Tokens tokens = words(p, sentence, "sentence"); // cheap checks before the decode
    double b = beta(p, beta);
    DecodedImage decoded = decode(p, image, contentType, t);
    return p.align(decoded, sentence, tokens, b, t);
  }

  /** Scores candidate sentences against the image and sorts them by S_kl, best first. */
  public RankingResult rank(byte[] image, String contentType, List<String> candidates) {
    Pipeline p = served.pipeline();
    StageTimings t = new StageTimings(meters);
    int max = config.alignment().maxCandidates(); // cheap checks before the decode
    int n = candidates == null ? 0 : candidates.size();
    if (n < 1 || n > max) {
      throw new AligncapException(
          INVALID_OPTIONS, "expected 1 to " + max + " candidate sentences, got " + n);
    }
    List<int[]> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(words(p, candidates.get(i), "candidates[" + i + "]").ids());
    }
    DecodedImage decoded = decode(p, image, contentType, t);
    return p.rank(decoded, candidates, ids, t);
  }

  /**
   * The one place an image is decoded, timed as the {@code decode} stage, behind the decode
   * bulkhead (issue 11): at most {@code aligncap.image.max-concurrent-decodes} decodes at once,
   * each within {@code aligncap.image.max-decode-bytes}, so decoding memory is bounded by their
   * product. A request waits up to {@code aligncap.image.decode-wait} for a slot, then is refused.
   *
   * @throws AligncapException (OVERLOADED, with the wait as its retry-after) when no slot freed
   */
  private DecodedImage decode(Pipeline p, byte[] image, String contentType, StageTimings t) {
    Duration wait = config.image().decodeWait();
    boolean admitted;
    try {
      admitted = decodes.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      admitted = false;
    }
    if (!admitted) {
      meters.counter(OVERLOADED_METER).increment();
      throw new AligncapException(
          OVERLOADED,
          "all "
              + config.image().maxConcurrentDecodes()
              + " decode slots stayed busy for "
              + wait.toMillis()
              + " ms (aligncap.image.max-concurrent-decodes, aligncap.image.decode-wait); retry"
              + " after the Retry-After delay",
          Duration.ofSeconds(Math.max(1, (wait.toMillis() + 999) / 1000)));
    }
    try {
      return t.time(DECODE, () -> p.decode(image, contentType));
    } finally {
      decodes.release();
    }
  }

  /** The request's β, or the model's; checked against {@code aligncap.alignment.max-beta}. */
  private double beta(Pipeline p, Double beta) {
    if (beta == null) {
      return p.manifest().alignment().mrfBeta();
    }
    double max = config.alignment().maxBeta();
    if (!(beta >= 0 && beta <= max)) { // NaN fails too
      throw new AligncapException(
          INVALID_OPTIONS, "beta must be between 0 and " + max + ", is " + beta);
    }
    return beta;
  }

  /** A sentence's tokens, 1 to {@code aligncap.alignment.max-words} of them. */
  private Tokenizer.Tokens words(Pipeline p, String sentence, String field) {
    Tokenizer.Tokens tokens = p.tokenize(sentence);
    int max = config.alignment().maxWords();
    if (tokens.length() == 0 || tokens.length() > max) {
      throw new AligncapException(
          INVALID_OPTIONS,
          field
              + " must have 1 to "
              + max
              + " words (matches of "
              + p.manifest().tokenizer().tokenRegex()
              + "), has "
              + tokens.length());
    }
    return tokens;
  }
}
