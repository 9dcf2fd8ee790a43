package io.aligncap.image;

/**
 * The pixels of models/FORMAT.md preprocessing rules 1–4, ready for the {@code preprocess} graph:
 * RGB, HWC, uint8, subsampled by rule 3's integer factor, EXIF orientation applied. Boxes in pixels
 * always refer to the upright image's size before subsampling ({@code sourceWidth × sourceHeight}).
 *
 * @param width columns of {@code rgb}
 * @param height rows of {@code rgb}
 * @param rgb {@code height * width * 3} bytes, row-major
 * @param sourceWidth the oriented image's width before subsampling (what a client calls its width)
 * @param sourceHeight the oriented image's height before subsampling
 * @param format the decoded format ("jpeg", "png", "gif", "bmp", "webp", or "raw")
 */
public record DecodedImage(
    int width, int height, byte[] rgb, int sourceWidth, int sourceHeight, String format) {

  public DecodedImage {
    if (width < 1 || height < 1 || rgb.length != (long) width * height * 3) {
      throw new IllegalArgumentException(
          "expected "
              + width
              + "x"
              + height
              + "x3 = "
              + (long) width * height * 3
              + " bytes, got "
              + rgb.length);
    }
  }

  /** Raw RGB pixels that were not subsampled. */
  public static DecodedImage ofRgb(int width, int height, byte[] rgb) {
    return new DecodedImage(width, height, rgb, width, height, "raw");
  }
}
