package io.aligncap.inference;

/**
 * Image–sentence scoring of paper eq. 8: {@code S = Σ_t max_i v_i·s_t} over the sentence's words t
 * and all regions i (whole image included), and each word's best region (ties → lowest index).
 * Pure.
 */
public final class Scorer {

  private Scorer() {}

  /**
   * @param words {@code [length][embedding]} word vectors s_t (padding rows already dropped)
   * @param regions {@code [count][embedding]} region embeddings v_i
   * @return {@code [length][count]} dot products, accumulated in double
   */
  public static double[][] dots(float[][] words, float[][] regions) {
    double[][] out = new double[words.length][regions.length];
    for (int t = 0; t < words.length; t++) {
      float[] s = words[t];
      for (int i = 0; i < regions.length; i++) {
        float[] v = regions[i];
        double sum = 0;
        for (int e = 0; e < s.length; e++) {
          sum += (double) s[e] * v[e];
        }
        out[t][i] = sum;
      }
    }
    return out;
  }

  /** S_kl: the sum over words of the best region's dot product. */
  public static double score(double[][] dots) {
    double total = 0;
    for (double[] row : dots) {
      total += row[MrfAligner.argmax(row)];
    }
    return total;
  }

  /** Each word's strength: its best region's dot product {@code max_i v_i·s_t}. */
  public static double[] strengths(double[][] dots) {
    double[] out = new double[dots.length];
    for (int t = 0; t < dots.length; t++) {
      out[t] = dots[t][MrfAligner.argmax(dots[t])];
    }
    return out;
  }

  /** Each word's best region, the lowest index on a tie. */
  public static int[] wordRegions(double[][] dots) {
    int[] out = new int[dots.length];
    for (int t = 0; t < dots.length; t++) {
      out[t] = MrfAligner.argmax(dots[t]);
    }
    return out;
  }
}
