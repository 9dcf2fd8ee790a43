package io.aligncap.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ScorerTest {

  @Test
  void scoreSumsEachWordsBestRegion() {
    float[][] words = {{1, 0}, {0, 1}};
    float[][] regions = {{2, 0}, {0, 3}, {1, 1}};
    double[][] dots = Scorer.dots(words, regions);
    assertArrayEquals(new double[] {2, 0, 1}, dots[0]);
    assertEquals(2 + 3, Scorer.score(dots), 0);
    assertArrayEquals(new int[] {0, 1}, Scorer.wordRegions(dots));
    assertArrayEquals(new double[] {2, 3}, Scorer.strengths(dots)); // each word's max_i v_i·s_t
  }

  @Test
  void wordRegionTiesGoToTheLowestIndex() {
    assertArrayEquals(new int[] {1}, Scorer.wordRegions(new double[][] {{0, 5, 5}}));
  }
}
