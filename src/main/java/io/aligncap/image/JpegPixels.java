package io.aligncap.image;

import java.awt.image.Raster;

/**
 * A JPEG's stored components turned into RGB as models/FORMAT.md preprocessing rules 1–2 say, and
 * as libjpeg(-turbo), which the Python reference decodes with, does it: no colour management (an
 * ICC profile is ignored), the colour space guessed from the markers exactly as libjpeg's {@code
 * default_decompress_parms}, YCbCr → RGB with libjpeg's fixed-point tables ({@code jdcolor.c}), and
 * CMYK/YCCK by the ink formula {@code R = ((255 − C)(255 − K) + 127) / 255} after undoing Adobe's
 * inversion (4-component JPEGs are taken as Adobe-inverted, as libjpeg's callers such as Pillow and
 * Photoshop do). The raster comes from ImageIO's {@code readRaster}, which returns the decoded,
 * upsampled components without any colour conversion. Pure.
 */
final class JpegPixels {

  /** The colour space of the stored components (libjpeg's {@code jpeg_color_space}). */
  enum Space {
    GRAY,
    YCBCR,
    RGB,
    CMYK,
    YCCK
  }

  // libjpeg's jdcolor.c: 16-bit fixed point, tables indexed by the chroma sample.
  private static final int SCALEBITS = 16;
  private static final int ONE_HALF = 1 << (SCALEBITS - 1);
  private static final int[] CR_R = new int[256];
  private static final int[] CB_B = new int[256];
  private static final int[] CR_G = new int[256];
  private static final int[] CB_G = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int x = i - 128;
      CR_R[i] = (fix(1.40200) * x + ONE_HALF) >> SCALEBITS;
      CB_B[i] = (fix(1.77200) * x + ONE_HALF) >> SCALEBITS;
      CR_G[i] = -fix(0.71414) * x;
      CB_G[i] = -fix(0.34414) * x + ONE_HALF;
    }
  }

  private JpegPixels() {}

  /**
   * The colour space libjpeg assumes for {@code jpeg}: 1 component gray; 3 components YCbCr with a
   * JFIF marker, else by the Adobe marker's transform (0 RGB, otherwise YCbCr), else by component
   * ids ('R','G','B' → RGB, otherwise YCbCr); 4 components by the Adobe transform (0 CMYK,
   * otherwise YCCK), CMYK without an Adobe marker.
   *
   * @throws IllegalArgumentException for a component count other than 1, 3 or 4, or no frame header
   *     before the scan
   */
  static Space space(byte[] jpeg) {
    boolean jfif = false;
    int adobeTransform = -1;
    int[] ids = null;
    int pos = 2; // after SOI
    while (pos + 4 <= jpeg.length) {
      if ((jpeg[pos] & 0xFF) != 0xFF) {
        break; // not a marker: garbage before the scan; let the decoder report it
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
      if (marker == 0xDA || marker == 0xD9) {
        break; // start of scan, end of image
      }
      int length = (jpeg[pos + 2] & 0xFF) << 8 | (jpeg[pos + 3] & 0xFF);
      int data = pos + 4;
      int end = Math.min(jpeg.length, pos + 2 + length);
      if (marker == 0xE0 && length >= 16 && ascii(jpeg, data, end, "JFIF\0")) {
        jfif = true; // libjpeg: APP0_DATA_LEN = 14 bytes after the length
      } else if (marker == 0xEE && length >= 14 && ascii(jpeg, data, end, "Adobe")) {
        adobeTransform = data + 11 < end ? jpeg[data + 11] & 0xFF : -1; // APP14_DATA_LEN = 12
      } else if (isFrame(marker) && data + 6 <= end) {
        int n = jpeg[data + 5] & 0xFF;
        ids = new int[n];
        for (int c = 0; c < n && data + 6 + 3 * c < end; c++) {
          ids[c] = jpeg[data + 6 + 3 * c] & 0xFF;
        }
      }
      pos += 2 + length;
    }
    if (ids == null) {
      throw new IllegalArgumentException("no frame header (SOF) before the scan");
    }
    return switch (ids.length) {
      case 1 -> Space.GRAY;
      case 3 -> {
        if (jfif) {
          yield Space.YCBCR;
        } else if (adobeTransform >= 0) {
          yield adobeTransform == 0 ? Space.RGB : Space.YCBCR;
        }
        yield ids[0] == 'R' && ids[1] == 'G' && ids[2] == 'B' ? Space.RGB : Space.YCBCR;
      }
      case 4 -> adobeTransform == 0 || adobeTransform < 0 ? Space.CMYK : Space.YCCK;
      default ->
          throw new IllegalArgumentException(
              "a JPEG with " + ids.length + " components is not supported (1, 3 or 4)");
    };
  }

  /**
   * RGB bytes (HWC) of a raster of stored components in {@code space}.
   *
   * @throws IllegalArgumentException when the raster's band count does not fit the space
   */
  static byte[] rgb(Raster raster, Space space) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    int bands = raster.getNumBands();
    int want = space == Space.GRAY ? 1 : space == Space.CMYK || space == Space.YCCK ? 4 : 3;
    if (bands != want) {
      throw new IllegalArgumentException(
          "the decoder gave " + bands + " components for a " + space + " JPEG, expected " + want);
    }
    byte[] out = new byte[w * h * 3];
    int[] row = new int[w * bands];
    for (int y = 0; y < h; y++) {
      raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
      for (int x = 0; x < w; x++) {
        int s = x * bands;
        int o = (y * w + x) * 3;
        switch (space) {
          case GRAY -> {
            out[o] = (byte) row[s];
            out[o + 1] = (byte) row[s];
            out[o + 2] = (byte) row[s];
          }
          case RGB -> {
            out[o] = (byte) row[s];
            out[o + 1] = (byte) row[s + 1];
            out[o + 2] = (byte) row[s + 2];
          }
          case YCBCR -> ycc(row[s], row[s + 1], row[s + 2], out, o);
          case CMYK -> ink(row[s], row[s + 1], row[s + 2], row[s + 3], out, o);
          case YCCK -> {
            // libjpeg's ycck_cmyk_convert: C, M, Y = 255 − (YCbCr → RGB); K as stored
            ycc(row[s], row[s + 1], row[s + 2], out, o);
            ink(
                255 - (out[o] & 0xFF),
                255 - (out[o + 1] & 0xFF),
                255 - (out[o + 2] & 0xFF),
                row[s + 3],
                out,
                o);
          }
        }
      }
    }
    return out;
  }

  /** libjpeg's ycc_rgb_convert. */
  private static void ycc(int y, int cb, int cr, byte[] out, int o) {
    out[o] = (byte) clamp(y + CR_R[cr]);
    out[o + 1] = (byte) clamp(y + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS));
    out[o + 2] = (byte) clamp(y + CB_B[cb]);
  }

  /**
   * Rule 2's ink formula on stored (Adobe-inverted) samples: the ink amounts are {@code 255 − s},
   * so {@code (255 − C)(255 − K)} is {@code s_C · s_K}.
   */
  private static void ink(int c, int m, int y, int k, byte[] out, int o) {
    out[o] = (byte) ((c * k + 127) / 255);
    out[o + 1] = (byte) ((m * k + 127) / 255);
    out[o + 2] = (byte) ((y * k + 127) / 255);
  }

  private static int clamp(int v) {
    return v < 0 ? 0 : Math.min(v, 255);
  }

  private static int fix(double x) {
    return (int) (x * (1L << SCALEBITS) + 0.5);
  }

  /** SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
  private static boolean isFrame(int marker) {
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
  }

  private static boolean ascii(byte[] b, int from, int end, String s) {
    if (from + s.length() > end) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (b[from + i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
