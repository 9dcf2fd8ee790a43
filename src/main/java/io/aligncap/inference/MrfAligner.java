package io.aligncap.inference;

import java.util.ArrayList;
import java.util.List;

/**
 * Word → region assignment smoothed by a chain MRF (paper §3.1.4; models/FORMAT.md "Word → region
 * and MRF snippets"): maximise {@code Σ_j v_{a_j}·s_j + β Σ_j 1[a_j = a_{j+1}]} by Viterbi. Ties
 * resolve to the lowest region: at each step the lowest previous region among equal scores, at the
 * end the lowest final region. Pure.
 */
public final class MrfAligner {

  /**
   * A maximal run of words assigned to one region.
   *
   * @param start first word index
   * @param end one past the last word index
   */
  public record Run(int start, int end, int region) {}

  private MrfAligner() {}

  /**
   * @param scores {@code [word][region]} dot products v_i·s_t
   * @param beta reward for two neighbouring words sharing a region
   * @return the region of each word
   */
  public static int[] align(double[][] scores, double beta) {
    int n = scores.length;
    if (n == 0) {
      return new int[0];
    }
    int r = scores[0].length;
    double[] best = scores[0].clone();
    int[][] back = new int[n][r];
    for (int j = 1; j < n; j++) {
      double[] next = new double[r];
      for (int i = 0; i < r; i++) {
        double max = Double.NEGATIVE_INFINITY;
        int arg = 0;
        for (int p = 0; p < r; p++) {
          double v = best[p] + (p == i ? beta : 0.0);
          if (v > max) { // strict: the lowest p wins a tie
            max = v;
            arg = p;
          }
        }
        next[i] = max + scores[j][i];
        back[j][i] = arg;
      }
      best = next;
    }
    int[] a = new int[n];
    a[n - 1] = argmax(best);
    for (int j = n - 1; j > 0; j--) {
      a[j - 1] = back[j][a[j]];
    }
    return a;
  }

  /** The maximal runs of equal regions, in order. */
  public static List<Run> runs(int[] regions) {
    List<Run> out = new ArrayList<>();
    int start = 0;
    for (int j = 1; j <= regions.length; j++) {
      if (j == regions.length || regions[j] != regions[start]) {
        out.add(new Run(start, j, regions[start]));
        start = j;
      }
    }
    return out;
  }

  /** The lowest index of the maximum. */
  static int argmax(double[] v) {
    int arg = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[arg]) {
        arg = i;
      }
    }
    return arg;
  }
}
