package io.aligncap.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Packed RGB bytes (HWC) of a decoded PNG, GIF, BMP or WebP, by models/FORMAT.md preprocessing rule
 * 2, read from the stored samples rather than through Java 2D's colour conversion (which would
 * apply a colour space, round 16-bit samples and brighten linear gray): palette images through
 * their palette, gray replicated (16-bit: the high byte; 1, 2 and 4-bit: scaled to 0–255, as a PNG
 * decoder expands them), RGB as stored (16-bit: the high byte), alpha dropped. JPEGs go through
 * {@link JpegPixels}.
 */
final class Rgb {

  private Rgb() {}

  static byte[] of(BufferedImage image) {
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    int colours = cm.getNumColorComponents();
    int bits = raster.getSampleModel().getSampleSize(0);
    if (cm instanceof IndexColorModel palette) {
      return palette(raster, palette);
    }
    if (cm instanceof ComponentColorModel && bits >= 8 && bits <= 16) {
      int type = cm.getColorSpace().getType();
      if (colours == 1 && type == ColorSpace.TYPE_GRAY) {
        return samples(raster, new int[] {0, 0, 0}, bits - 8);
      }
      if (colours == 3 && type == ColorSpace.TYPE_RGB) {
        return samples(raster, new int[] {0, 1, 2}, bits - 8);
      }
    }
    if (cm instanceof ComponentColorModel && colours == 1 && bits < 8) {
      return lowBitGray(raster, bits);
    }
    return packed(image); // DirectColorModel (BMP, WebP): 8-bit masks are copied exactly
  }

  /** Bands {@code rgbBands} of every pixel, each shifted right by {@code shift}. */
  private static byte[] samples(Raster raster, int[] rgbBands, int shift) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    int bands = raster.getNumBands();
    byte[] out = new byte[w * h * 3];
    int[] row = new int[w * bands];
    for (int y = 0; y < h; y++) {
      raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
      for (int x = 0; x < w; x++) {
        int o = (y * w + x) * 3;
        for (int c = 0; c < 3; c++) {
          out[o + c] = (byte) (row[x * bands + rgbBands[c]] >>> shift);
        }
      }
    }
    return out;
  }

  private static byte[] palette(Raster raster, IndexColorModel palette) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    byte[] out = new byte[w * h * 3];
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
      for (int x = 0; x < w; x++) {
        int rgb = palette.getRGB(row[x]); // the palette entry as stored, alpha ignored
        int o = (y * w + x) * 3;
        out[o] = (byte) (rgb >> 16);
        out[o + 1] = (byte) (rgb >> 8);
        out[o + 2] = (byte) rgb;
      }
    }
    return out;
  }

  private static byte[] lowBitGray(Raster raster, int bits) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    int max = (1 << bits) - 1;
    byte[] out = new byte[w * h * 3];
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
      for (int x = 0; x < w; x++) {
        byte v = (byte) (row[x] * 255 / max);
        int o = (y * w + x) * 3;
        out[o] = v;
        out[o + 1] = v;
        out[o + 2] = v;
      }
    }
    return out;
  }

  private static byte[] packed(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] out = new byte[w * h * 3];
    int[] argb = new int[w];
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, argb, 0, w);
      for (int x = 0; x < w; x++) {
        int p = argb[x];
        int o = (y * w + x) * 3;
        out[o] = (byte) (p >> 16);
        out[o + 1] = (byte) (p >> 8);
        out[o + 2] = (byte) p;
      }
    }
    return out;
  }
}
