package io.aligncap.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Beam search over a one-step decoder, batched over the live beams, exactly as models/FORMAT.md
 * "Decoding" specifies (paper §3.2). Pure: the decoder is a {@link StepFunction}, so the search is
 * tested on toy functions against brute force. Beam size 1 is greedy decoding.
 *
 * <p>Each step keeps the {@code k - finished} best (beam, token) candidates, ordered by score
 * descending, then beam index, then token ascending; a kept END finishes its beam (END is not a
 * word but counts in the length), the others stay live in kept order. Finished beams are ranked by
 * {@code score / n_tokens^alpha}; ties keep finishing order.
 */
public final class BeamSearch {

  /** One decoder step for a batch of beams. States are {@code [state][batch][hidden]}. */
  public interface StepFunction {

    /** The initial (zero) states for a batch of one beam: {@code [state][1][hidden]}. */
    float[][][] initialState();

    /**
     * @param tokens the previous token of each beam (START on the first step), {@code [batch]}
     * @param states {@code [state][batch][hidden]}
     * @param first whether this is step 1 (the image is fed only then)
     */
    Step step(int[] tokens, float[][][] states, boolean first);
  }

  /**
   * @param logProbs {@code [batch][vocab]}
   * @param states {@code [state][batch][hidden]}
   */
  public record Step(float[][] logProbs, float[][][] states) {}

  /**
   * A finished caption.
   *
   * @param tokens the emitted word ids, END excluded
   * @param logProb the sum of log-probabilities, END included
   * @param score {@code logProb / n_tokens^alpha}
   * @param ended whether END was emitted (false: truncated at max length)
   */
  public record Hypothesis(int[] tokens, double logProb, double score, boolean ended) {}

  private final int startId;
  private final int endId;
  private final boolean[] never;

  /**
   * @param neverEmitted ids whose log-probabilities count as −∞ (pad, start, unk)
   */
  public BeamSearch(int vocabSize, int startId, int endId, int[] neverEmitted) {
    this.startId = startId;
    this.endId = endId;
    this.never = new boolean[vocabSize];
    for (int id : neverEmitted) {
      never[id] = true;
    }
  }

  /**
   * @return every finished hypothesis, best first (at most {@code beamSize})
   * @throws IllegalArgumentException when beam size or max length is below 1
   */
  public List<Hypothesis> search(StepFunction f, int beamSize, int maxLength, double alpha) {
    if (beamSize < 1 || maxLength < 1) {
      throw new IllegalArgumentException(
          "beam size and max length must be >= 1, are " + beamSize + " and " + maxLength);
    }
    List<int[]> liveTokens = new ArrayList<>(List.of(new int[0]));
    double[] liveScores = {0.0};
    float[][][] states = f.initialState();
    int[] feed = {startId};
    List<Hypothesis> finished = new ArrayList<>();

    for (int step = 1; step <= maxLength && !liveTokens.isEmpty(); step++) {
      Step out = f.step(feed, states, step == 1);
      int keep = beamSize - finished.size();
      Candidates best = top(out.logProbs(), liveScores, keep);

      List<int[]> nextTokens = new ArrayList<>(best.n);
      double[] nextScores = new double[best.n];
      int[] rows = new int[best.n];
      int live = 0;
      for (int c = 0; c < best.n; c++) {
        int[] prefix = liveTokens.get(best.beam[c]);
        if (best.token[c] == endId) {
          finished.add(hypothesis(prefix, best.score[c], true, alpha));
        } else {
          int[] tokens = Arrays.copyOf(prefix, prefix.length + 1);
          tokens[prefix.length] = best.token[c];
          nextTokens.add(tokens);
          nextScores[live] = best.score[c];
          rows[live] = best.beam[c];
          live++;
        }
      }
      liveTokens = nextTokens;
      liveScores = Arrays.copyOf(nextScores, live);
      states = gather(out.states(), Arrays.copyOf(rows, live));
      feed = new int[live];
      for (int b = 0; b < live; b++) {
        int[] t = liveTokens.get(b);
        feed[b] = t[t.length - 1];
      }
    }
    for (int b = 0; b < liveTokens.size(); b++) { // truncated at max length, in live order
      finished.add(hypothesis(liveTokens.get(b), liveScores[b], false, alpha));
    }
    List<Hypothesis> ranked = new ArrayList<>(finished);
    ranked.sort(Comparator.comparingDouble(Hypothesis::score).reversed()); // stable
    return ranked;
  }

  private static Hypothesis hypothesis(int[] tokens, double logProb, boolean ended, double alpha) {
    int n = tokens.length + (ended ? 1 : 0);
    double score = alpha == 0.0 ? logProb : logProb / Math.pow(n, alpha);
    return new Hypothesis(tokens, logProb, score, ended);
  }

  /** The best {@code k} candidates in FORMAT.md order (score desc, beam asc, token asc). */
  private Candidates top(float[][] logProbs, double[] beamScores, int k) {
    Candidates c = new Candidates(k);
    for (int b = 0; b < beamScores.length; b++) {
      float[] row = logProbs[b];
      for (int t = 0; t < row.length; t++) {
        if (!never[t] && !Float.isNaN(row[t]) && row[t] != Float.NEGATIVE_INFINITY) {
          c.offer(beamScores[b] + row[t], b, t);
        }
      }
    }
    return c;
  }

  private static float[][][] gather(float[][][] states, int[] rows) {
    float[][][] out = new float[states.length][rows.length][];
    for (int s = 0; s < states.length; s++) {
      for (int j = 0; j < rows.length; j++) {
        out[s][j] = states[s][rows[j]];
      }
    }
    return out;
  }

  /**
   * A bounded sorted list. Candidates arrive in (beam, token) ascending order, so an equal score
   * goes after the ones already kept, which is the tie order FORMAT.md asks for.
   */
  private static final class Candidates {
    final double[] score;
    final int[] beam;
    final int[] token;
    int n;

    Candidates(int k) {
      score = new double[k];
      beam = new int[k];
      token = new int[k];
    }

    void offer(double s, int b, int t) {
      int k = score.length;
      if (k == 0 || (n == k && !(s > score[k - 1]))) {
        return;
      }
      int pos = n == k ? k - 1 : n;
      while (pos > 0 && score[pos - 1] < s) {
        pos--;
      }
      int last = Math.min(n, k - 1);
      System.arraycopy(score, pos, score, pos + 1, last - pos);
      System.arraycopy(beam, pos, beam, pos + 1, last - pos);
      System.arraycopy(token, pos, token, pos + 1, last - pos);
      score[pos] = s;
      beam[pos] = b;
      token[pos] = t;
      n = Math.min(n + 1, k);
    }
  }
}
