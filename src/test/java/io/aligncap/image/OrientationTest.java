package io.aligncap.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The eight EXIF orientations on a 3x2 image whose pixels are numbered 0..5 row by row. */
class OrientationTest {

  // stored:  0 1 2
  //          3 4 5
  static final byte[] STORED = pixels(0, 1, 2, 3, 4, 5);

  static byte[] pixels(int... ids) {
    byte[] rgb = new byte[ids.length * 3];
    for (int i = 0; i < ids.length; i++) {
      rgb[i * 3] = (byte) ids[i];
      rgb[i * 3 + 1] = (byte) (ids[i] + 10);
      rgb[i * 3 + 2] = (byte) (ids[i] + 20);
    }
    return rgb;
  }

  static void check(int orientation, int width, int height, int... expected) {
    Orientation.Pixels p = Orientation.apply(orientation, STORED, 3, 2);
    assertEquals(width, p.width(), "width for orientation " + orientation);
    assertEquals(height, p.height(), "height for orientation " + orientation);
    assertArrayEquals(pixels(expected), p.rgb(), "pixels for orientation " + orientation);
  }

  @Test
  void allEightOrientations() {
    check(1, 3, 2, 0, 1, 2, 3, 4, 5);
    check(2, 3, 2, 2, 1, 0, 5, 4, 3); // mirrored left-right
    check(3, 3, 2, 5, 4, 3, 2, 1, 0); // 180°
    check(4, 3, 2, 3, 4, 5, 0, 1, 2); // mirrored top-bottom
    check(5, 2, 3, 0, 3, 1, 4, 2, 5); // transposed
    check(6, 2, 3, 3, 0, 4, 1, 5, 2); // turned 90° clockwise
    check(7, 2, 3, 5, 2, 4, 1, 3, 0); // transversed
    check(8, 2, 3, 2, 5, 1, 4, 0, 3); // turned 90° counter-clockwise
  }

  @Test
  void unknownValuesLeavePixelsAlone() {
    check(0, 3, 2, 0, 1, 2, 3, 4, 5);
    check(9, 3, 2, 0, 1, 2, 3, 4, 5);
  }
}
