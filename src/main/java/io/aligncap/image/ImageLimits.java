package io.aligncap.image;

/**
 * Limits checked from the image header before any full decode, and the subsampling side.
 *
 * @param maxBytes largest encoded image
 * @param maxWidth largest width (before orientation)
 * @param maxHeight largest height
 * @param maxPixels largest width × height
 * @param maxDecodeBytes largest {@link DecodeCost} estimate of one decode (issue 11)
 * @param maxSubsampleSide M of models/FORMAT.md preprocessing rule 3 (the manifest's {@code
 *     image.max_subsample_side}): part of the model's preprocessing, not a tuning knob
 */
public record ImageLimits(
    long maxBytes,
    int maxWidth,
    int maxHeight,
    long maxPixels,
    long maxDecodeBytes,
    int maxSubsampleSide) {

  /** Limits without a decode-memory budget. */
  public ImageLimits(
      long maxBytes, int maxWidth, int maxHeight, long maxPixels, int maxSubsampleSide) {
    this(maxBytes, maxWidth, maxHeight, maxPixels, Long.MAX_VALUE, maxSubsampleSide);
  }

  /**
   * Rule 3's factor for a stored {@code width × height} image: {@code max(1, min(w, h) / M)} (1 =
   * none).
   */
  public int subsampling(int width, int height) {
    return Math.max(1, Math.min(width, height) / maxSubsampleSide);
  }
}
