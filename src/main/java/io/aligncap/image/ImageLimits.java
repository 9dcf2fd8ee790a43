package io.aligncap.image;

/**
 * Limits checked from the image header before any full decode, and the subsampling target.
 *
 * @param maxBytes largest encoded image
 * @param maxWidth largest width (before orientation)
 * @param maxHeight largest height
 * @param maxPixels largest width × height
 * @param minSubsampledSide an image is subsampled by the largest integer factor that keeps both
 *     sides at least this (the manifest's {@code image.max_subsample_side})
 */
public record ImageLimits(
    long maxBytes, int maxWidth, int maxHeight, long maxPixels, int minSubsampledSide) {

  /** The integer subsampling factor for a {@code width × height} image (1 = none). */
  public int subsampling(int width, int height) {
    return Math.max(1, Math.min(width, height) / minSubsampledSide);
  }
}
