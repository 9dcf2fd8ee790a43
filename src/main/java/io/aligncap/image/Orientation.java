package io.aligncap.image;

/**
 * The eight EXIF orientations (TIFF tag 274) as a pure pixel transform: value v says how the stored
 * pixels must be turned to be seen upright. 1 upright, 2 mirrored left–right, 3 turned 180°, 4
 * mirrored top–bottom, 5 transposed, 6 turned 90° clockwise, 7 transversed, 8 turned 90°
 * counter-clockwise to display.
 */
public final class Orientation {

  /** Pixels after a transform; width and height swap for orientations 5–8. */
  public record Pixels(byte[] rgb, int width, int height) {}

  private Orientation() {}

  /**
   * @param orientation EXIF value; anything outside 2..8 leaves the pixels as they are
   * @param rgb HWC, {@code height * width * 3}
   */
  public static Pixels apply(int orientation, byte[] rgb, int width, int height) {
    if (orientation < 2 || orientation > 8) {
      return new Pixels(rgb, width, height);
    }
    boolean swap = orientation >= 5;
    int w = swap ? height : width;
    int h = swap ? width : height;
    byte[] out = new byte[rgb.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        // (sx, sy): the stored pixel shown at (x, y)
        int sx =
            switch (orientation) {
              case 2, 3 -> width - 1 - x;
              case 4 -> x;
              case 5, 6 -> y;
              default -> width - 1 - y; // 7, 8
            };
        int sy =
            switch (orientation) {
              case 2 -> y;
              case 3, 4 -> height - 1 - y;
              case 5, 8 -> x;
              default -> height - 1 - x; // 6, 7
            };
        int src = (sy * width + sx) * 3;
        int dst = (y * w + x) * 3;
        out[dst] = rgb[src];
        out[dst + 1] = rgb[src + 1];
        out[dst + 2] = rgb[src + 2];
      }
    }
    return new Pixels(out, w, h);
  }
}
