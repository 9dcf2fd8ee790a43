package io.aligncap.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;

/** Copies any decoded {@link BufferedImage} into packed RGB bytes (HWC), dropping alpha. */
final class Rgb {

  private Rgb() {}

  static byte[] of(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] out = new byte[w * h * 3];
    if (image.getType() == BufferedImage.TYPE_3BYTE_BGR
        && image.getRaster().getDataBuffer() instanceof DataBufferByte buffer
        && buffer.getNumBanks() == 1
        && image.getRaster().getParent() == null) {
      byte[] bgr = buffer.getData();
      for (int i = 0; i < out.length; i += 3) {
        out[i] = bgr[i + 2];
        out[i + 1] = bgr[i + 1];
        out[i + 2] = bgr[i];
      }
      return out;
    }
    if (image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
      // getRGB would convert the linear gray space to sRGB and brighten it; the stored value is
      // the intended one (as PIL reads it), so replicate it.
      Raster raster = image.getRaster();
      int shift = Math.max(0, raster.getSampleModel().getSampleSize(0) - 8);
      int[] row = new int[w];
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, row);
        for (int x = 0; x < w; x++) {
          byte v = (byte) (row[x] >>> shift);
          int o = (y * w + x) * 3;
          out[o] = v;
          out[o + 1] = v;
          out[o + 2] = v;
        }
      }
      return out;
    }
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
