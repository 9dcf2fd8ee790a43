package io.aligncap.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Viterbi against brute force over every assignment, and FORMAT.md's tie rules. */
class MrfAlignerTest {

  static double energy(double[][] s, int[] a, double beta) {
    double e = 0;
    for (int j = 0; j < a.length; j++) {
      e += s[j][a[j]];
      if (j + 1 < a.length && a[j] == a[j + 1]) {
        e += beta;
      }
    }
    return e;
  }

  @Test
  void viterbiFindsTheBestAssignment() {
    Random r = new Random(7);
    for (int c = 0; c < 300; c++) {
      int n = 1 + r.nextInt(5);
      int regions = 1 + r.nextInt(4);
      double beta = r.nextDouble() * 3;
      double[][] s = new double[n][regions];
      for (double[] row : s) {
        for (int i = 0; i < regions; i++) {
          row[i] = r.nextGaussian() * 2;
        }
      }
      int[] got = MrfAligner.align(s, beta);
      double best = Double.NEGATIVE_INFINITY;
      int[] arg = null;
      int total = (int) Math.pow(regions, n);
      for (int code = 0; code < total; code++) {
        int[] a = new int[n];
        for (int j = 0, x = code; j < n; j++, x /= regions) {
          a[j] = x % regions;
        }
        double e = energy(s, a, beta);
        if (e > best) {
          best = e;
          arg = a;
        }
      }
      assertEquals(best, energy(s, got, beta), 1e-9, "case " + c);
      assertArrayEquals(arg, got, "case " + c);
    }
  }

  @Test
  void tiesGoToTheLowestRegion() {
    assertArrayEquals(new int[] {0, 0, 0}, MrfAligner.align(new double[3][4], 1.0));
    // word 1 prefers region 2 alone; beta ties the switch (cost 1) with staying: lowest wins
    double[][] s = {{1, 0, 0}, {0, 0, 1}};
    assertArrayEquals(new int[] {0, 0}, MrfAligner.align(s, 1.0));
    assertArrayEquals(new int[] {0, 2}, MrfAligner.align(s, 0.5));
  }

  @Test
  void snippetsAreMaximalRuns() {
    assertEquals(
        List.of(
            new MrfAligner.Run(0, 2, 5), new MrfAligner.Run(2, 3, 64), new MrfAligner.Run(3, 5, 5)),
        MrfAligner.runs(new int[] {5, 5, 64, 5, 5}));
    assertEquals(List.of(), MrfAligner.runs(new int[0]));
  }
}
