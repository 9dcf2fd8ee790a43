package io.aligncap.events.testing;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import javax.imageio.ImageIO;

/** Small real images for the event tests, drawn here so no binary fixture is needed. */
public final class TestImages {

  private TestImages() {}

  /** A 96×72 scene of coloured shapes; {@code seed} varies it (and so its ETag). */
  public static byte[] png(int seed) {
    return encode(scene(seed), "png");
  }

  public static byte[] jpeg(int seed) {
    return encode(scene(seed), "jpg");
  }

  /** A PNG cut off half-way: a real upload that failed, which must not be captioned. */
  public static byte[] truncatedPng() {
    byte[] full = png(7);
    return Arrays.copyOf(full, full.length / 2);
  }

  private static BufferedImage scene(int seed) {
    BufferedImage img = new BufferedImage(96, 72, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(135, 206, 235));
    g.fillRect(0, 0, 96, 72);
    g.setColor(new Color((seed * 53) % 256, (seed * 97) % 256, (seed * 29) % 256));
    g.fillOval(10 + seed % 30, 20, 30, 30);
    g.setColor(new Color(34, 139, 34));
    g.fillRect(0, 56, 96, 16);
    g.dispose();
    return img;
  }

  private static byte[] encode(BufferedImage img, String format) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (!ImageIO.write(img, format, out)) {
        throw new IllegalStateException("no ImageIO writer for " + format);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
