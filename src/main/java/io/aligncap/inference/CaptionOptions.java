package io.aligncap.inference;

import io.aligncap.AligncapException;
import java.util.List;

/**
 * Per-request decoding options; a null field takes its default from configuration ({@code
 * aligncap.decoding.*}). Validated by {@link Captioner}, which throws {@link AligncapException}
 * (INVALID_OPTIONS) for a value out of range.
 *
 * @param beamSize 1 (greedy) up to {@code aligncap.decoding.max-beam-size}
 * @param maxLength most words per caption
 * @param lengthNormalization alpha: finished captions are ranked by log_prob / n^alpha
 * @param results how many captions to return (n-best), at most the beam size
 * @param regions boxes to caption, in pixels of the upright image: {@code [x0, y0, x1, y1]}
 * @param dense whether to caption every detected region (models/FORMAT.md "Dense captions"); null
 *     is false
 */
public record CaptionOptions(
    Integer beamSize,
    Integer maxLength,
    Double lengthNormalization,
    Integer results,
    List<double[]> regions,
    Boolean dense) {

  /** Every option at its configured default, no region or dense captions. */
  public static CaptionOptions defaults() {
    return new CaptionOptions(null, null, null, null, List.of(), null);
  }
}
