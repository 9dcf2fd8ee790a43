package io.aligncap.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Dense-caption selection and box scaling (models/FORMAT.md "Dense captions"). */
class RegionsTest {

  @Test
  void denseTakesSureDetectionsBestFirstNeverTheWholeImage() {
    // detections 0..3, then the whole image (score 1) at index 4
    float[] scores = {0.2f, 0.9f, 0.3f, 0.9f, 1.0f};
    assertEquals(List.of(1, 3, 2), Regions.dense(scores, 4, 0.3)); // ties by index, 0.3 is in
    assertEquals(List.of(), Regions.dense(scores, 4, 0.95));
    assertEquals(List.of(1, 3, 2, 0), Regions.dense(scores, 4, 0.0));
  }

  @Test
  void boxesArePixelsOfTheUprightImage() {
    float[] box = {0.25f, 0.5f, 0.75f, 1.0f};
    assertArrayEquals(new double[] {160, 240, 480, 480}, Regions.pixels(box, 640, 480), 1e-9);
    assertArrayEquals(
        new double[] {0.25, 0.5, 0.75, 1.0},
        Regions.normalised(new double[] {160, 240, 480, 480}, 640, 480),
        1e-12);
  }
}
