package io.aligncap.image;

/**
 * The memory one decode takes, estimated from the file's header before any pixel is decoded (issue
 * 11): pixels × bytes per pixel, where the bytes per pixel depend on how the decoder works, not on
 * the file size (a 778 KB progressive JPEG of 7000×7000 px takes about 290 MB). Pure.
 *
 * <ul>
 *   <li>A JPEG decoded in one pass (baseline, all components interleaved in its first scan) is read
 *       row by row: nothing at full size. A progressive JPEG, or one whose first scan does not hold
 *       every component, makes libjpeg keep the whole image's DCT coefficients (2 bytes per
 *       coefficient, 64 per 8×8 block of every component at its sampling) until the last scan.
 *   <li>WebP (TwelveMonkeys) decodes the whole frame into 32-bit ARGB before it subsamples.
 *   <li>PNG, GIF and BMP (the JDK's readers) are read row by row into the subsampled raster.
 * </ul>
 *
 * Every format then holds the subsampled raster and its RGB copies ({@link #OUTPUT_BYTES_PER_PIXEL}
 * per output pixel).
 */
final class DecodeCost {

  /** Bytes per DCT coefficient in libjpeg's coefficient buffers ({@code JCOEF}, 16 bits). */
  static final int COEFFICIENT_BYTES = 2;

  /** Bytes per pixel of a decoded WebP frame (an {@code int} ARGB raster). */
  static final int WEBP_BYTES_PER_PIXEL = 4;

  /**
   * Per output pixel: the decoded raster (up to 4 bands of 16 bits), the RGB copy and the oriented
   * copy.
   */
  static final int OUTPUT_BYTES_PER_PIXEL = 8 + 3 + 3;

  private DecodeCost() {}

  /**
   * The estimated bytes a decode of this image holds at its peak.
   *
   * @param factor the subsampling factor the decode will use
   */
  static long estimate(ImageFormat format, byte[] bytes, int width, int height, int factor) {
    long outW = (width + factor - 1) / factor;
    long outH = (height + factor - 1) / factor;
    long output = outW * outH * OUTPUT_BYTES_PER_PIXEL;
    long whole =
        switch (format) {
          case JPEG -> jpegCoefficients(bytes, width, height);
          case WEBP -> (long) width * height * WEBP_BYTES_PER_PIXEL;
          case PNG, GIF, BMP -> 0;
        };
    return whole + output;
  }

  /** A human reading of {@link #estimate}'s reason, for the 413's detail. */
  static String describe(ImageFormat format, byte[] bytes) {
    return switch (format) {
      case JPEG -> buffered(bytes) ? "progressive (or multi-scan) JPEG" : "JPEG";
      case WEBP -> "WebP";
      default -> format.id.toUpperCase(java.util.Locale.ROOT);
    };
  }

  /**
   * The whole-image coefficient buffers libjpeg allocates for a multi-scan JPEG ({@code
   * jdcoefct.c}: {@code has_multiple_scans}); 0 for a single interleaved scan.
   */
  static long jpegCoefficients(byte[] jpeg, int width, int height) {
    Frame f = Frame.read(jpeg);
    if (f == null || !f.buffered()) {
      return 0;
    }
    int hMax = 1;
    int vMax = 1;
    for (int c = 0; c < f.h().length; c++) {
      hMax = Math.max(hMax, f.h()[c]);
      vMax = Math.max(vMax, f.v()[c]);
    }
    long total = 0;
    for (int c = 0; c < f.h().length; c++) {
      // blocks of this component, padded to whole MCUs as libjpeg allocates them
      long mcuW = ceil(width, 8L * hMax);
      long mcuH = ceil(height, 8L * vMax);
      long blocks = mcuW * f.h()[c] * mcuH * f.v()[c];
      total += blocks * 64 * COEFFICIENT_BYTES;
    }
    return total;
  }

  private static boolean buffered(byte[] jpeg) {
    Frame f = Frame.read(jpeg);
    return f != null && f.buffered();
  }

  private static long ceil(long a, long b) {
    return (a + b - 1) / b;
  }

  /**
   * A JPEG's frame header (SOFn) and the component count of its first scan (SOS).
   *
   * @param progressive SOF2, SOF6, SOF10 or SOF14
   * @param h horizontal sampling factor per component
   * @param v vertical sampling factor per component
   * @param firstScanComponents components in the first scan (fewer than the frame's: multi-scan)
   */
  record Frame(boolean progressive, int[] h, int[] v, int firstScanComponents) {

    /** Whether libjpeg buffers the whole image's coefficients for this frame. */
    boolean buffered() {
      return progressive || firstScanComponents < h.length;
    }

    /** The frame and first scan of {@code jpeg}, or null when they cannot be found. */
    static Frame read(byte[] jpeg) {
      int pos = 2; // after SOI
      boolean progressive = false;
      int[] h = null;
      int[] v = null;
      while (pos + 4 <= jpeg.length) {
        if ((jpeg[pos] & 0xFF) != 0xFF) {
          return null; // not a marker: the decoder will report the file
        }
        int marker = jpeg[pos + 1] & 0xFF;
        if (marker == 0xFF) {
          pos++; // fill byte
          continue;
        }
        if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
          pos += 2; // no length
          continue;
        }
        int length = (jpeg[pos + 2] & 0xFF) << 8 | (jpeg[pos + 3] & 0xFF);
        int data = pos + 4;
        if (isFrame(marker) && data + 6 <= jpeg.length) {
          progressive = marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE;
          int n = jpeg[data + 5] & 0xFF;
          h = new int[n];
          v = new int[n];
          for (int c = 0; c < n && data + 8 + 3 * c < jpeg.length; c++) {
            int sampling = jpeg[data + 7 + 3 * c] & 0xFF;
            h[c] = Math.max(1, sampling >> 4);
            v[c] = Math.max(1, sampling & 0x0F);
          }
        } else if (marker == 0xDA) {
          if (h == null || data >= jpeg.length) {
            return null;
          }
          return new Frame(progressive, h, v, jpeg[data] & 0xFF);
        } else if (marker == 0xD9) {
          return null;
        }
        pos += 2 + length;
      }
      return null;
    }

    /** SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
    private static boolean isFrame(int marker) {
      return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }
  }
}
