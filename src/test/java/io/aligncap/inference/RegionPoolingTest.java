package io.aligncap.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A 2x2 grid (cells 0..3, row-major) plus the whole image at index 4. */
class RegionPoolingTest {

  static final float[][] BOXES = {
    {0f, 0f, .5f, .5f}, {.5f, 0f, 1f, .5f}, {0f, .5f, .5f, 1f}, {.5f, .5f, 1f, 1f}, {0f, 0f, 1f, 1f}
  };
  static final float[][] BIAS = {{1, 10}, {2, 20}, {3, 30}, {4, 40}, {100, 1000}};

  static float[] pool(double... box) {
    return RegionPooling.pool(BIAS, BOXES, 4, box);
  }

  @Test
  void meanOfCellsWhoseCentresLieInTheBox() {
    assertArrayEquals(new float[] {1.5f, 15f}, pool(0, 0, 1, 0.3)); // centres of 0 and 1
    assertArrayEquals(new float[] {2.5f, 25f}, pool(0, 0, 1, 1)); // all four, never the whole image
    assertArrayEquals(new float[] {1f, 10f}, pool(0.25, 0.25, 0.3, 0.3)); // edges count as inside
  }

  @Test
  void withoutACentreTheCellHoldingTheBoxCentre() {
    assertArrayEquals(new float[] {4f, 40f}, pool(0.8, 0.8, 0.9, 0.9));
    // a centre on the shared edge x = 0.5 belongs to the cell to its right (half-open cells)
    assertArrayEquals(new float[] {2f, 20f}, pool(0.45, 0.1, 0.55, 0.2));
    assertEquals(3, RegionPooling.containing(BOXES, 4, new double[] {0.9, 0.9, 1.0, 1.0}));
    // on the image's far edge no half-open cell holds it: the nearest cell
    assertEquals(3, RegionPooling.containing(BOXES, 4, new double[] {1.0, 1.0, 1.0, 1.0}));
  }
}
