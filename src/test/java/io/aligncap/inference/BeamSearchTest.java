package io.aligncap.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Beam search against brute force and against a literal transcription of models/FORMAT.md, on toy
 * step functions whose log-probabilities depend on the whole prefix (carried in the state).
 */
class BeamSearchTest {

  // toy vocabulary: 0 pad, 1 start, 2 end, 3 unk, 4.. words
  static final int PAD = 0, START = 1, END = 2, UNK = 3;
  static final int[] NEVER = {PAD, START, UNK};

  /**
   * log p(token | prefix) pseudo-random but fixed per prefix: the state is a hash of the prefix
   * (held exactly in a float, below 2^24). {@code levels} > 0 rounds the log-probabilities to few
   * values, creating ties.
   */
  record Toy(int vocab, long seed, int levels) implements BeamSearch.StepFunction {
    static final int MOD = 1 << 20;

    @Override
    public float[][][] initialState() {
      return new float[][][] {{{7f}}};
    }

    @Override
    public BeamSearch.Step step(int[] tokens, float[][][] states, boolean first) {
      float[][] logp = new float[tokens.length][];
      float[][] next = new float[tokens.length][1];
      for (int b = 0; b < tokens.length; b++) {
        int h = ((int) states[0][b][0] * 31 + tokens[b] + (first ? 5 : 0)) % MOD;
        next[b][0] = h;
        logp[b] = logProbs(h);
      }
      return new BeamSearch.Step(logp, new float[][][] {next});
    }

    float[] logProbs(int h) {
      Random r = new Random(seed * 1_000_003L + h);
      double[] z = new double[vocab];
      double max = Double.NEGATIVE_INFINITY;
      for (int t = 0; t < vocab; t++) {
        z[t] = levels > 0 ? r.nextInt(levels) : r.nextGaussian() * 2;
        max = Math.max(max, z[t]);
      }
      double sum = 0;
      for (double v : z) {
        sum += Math.exp(v - max);
      }
      float[] out = new float[vocab];
      for (int t = 0; t < vocab; t++) {
        out[t] = (float) (z[t] - max - Math.log(sum));
      }
      return out;
    }

    /** Sum of log p over a sequence (END included when given), as the search accumulates it. */
    double score(int[] seq) {
      int h = (7 * 31 + START + 5) % MOD;
      double total = 0;
      for (int i = 0; i < seq.length; i++) {
        total += logProbs(h)[seq[i]];
        h = (h * 31 + seq[i]) % MOD;
      }
      return total;
    }
  }

  static BeamSearch search(int vocab) {
    return new BeamSearch(vocab, START, END, NEVER);
  }

  @Test
  void wideEnoughBeamFindsEverySequenceWithItsExactScore() {
    // vocab 6: words 4 and 5 plus END; max length 3 gives 1+2+4 ended + 8 truncated = 15 sequences
    Toy toy = new Toy(6, 11, 0);
    List<BeamSearch.Hypothesis> found = search(6).search(toy, 15, 3, 0.0);
    List<int[]> all = new ArrayList<>();
    enumerate(new int[0], 3, all);
    assertEquals(15, all.size());
    assertEquals(all.size(), found.size());
    all.sort(Comparator.comparingDouble((int[] s) -> -toy.score(s)));
    for (int i = 0; i < all.size(); i++) {
      int[] expected = all.get(i);
      BeamSearch.Hypothesis h = found.get(i);
      boolean ended = expected.length > 0 && expected[expected.length - 1] == END;
      assertEquals(ended, h.ended());
      assertArrayEquals(
          ended ? Arrays.copyOf(expected, expected.length - 1) : expected, h.tokens());
      assertEquals(toy.score(expected), h.logProb(), 1e-9);
    }
  }

  private static void enumerate(int[] prefix, int maxLength, List<int[]> out) {
    for (int t : new int[] {END, 4, 5}) {
      int[] seq = Arrays.copyOf(prefix, prefix.length + 1);
      seq[prefix.length] = t;
      if (t == END || seq.length == maxLength) {
        out.add(seq);
      } else {
        enumerate(seq, maxLength, out);
      }
    }
  }

  @Test
  void greedyFollowsTheArgmaxChain() {
    Toy toy = new Toy(12, 3, 0);
    BeamSearch.Hypothesis h = search(12).search(toy, 1, 20, 0.0).get(0);
    // replay: at each step the allowed token with the highest log-probability, lowest id on ties
    int hash = (7 * 31 + START + 5) % Toy.MOD;
    List<Integer> tokens = new ArrayList<>();
    double total = 0;
    for (int step = 0; step < 20; step++) {
      float[] lp = toy.logProbs(hash);
      int best = -1;
      for (int t = 0; t < lp.length; t++) {
        if (t != PAD && t != START && t != UNK && (best < 0 || lp[t] > lp[best])) {
          best = t;
        }
      }
      total += lp[best];
      if (best == END) {
        break;
      }
      tokens.add(best);
      hash = (hash * 31 + best) % Toy.MOD;
    }
    assertArrayEquals(tokens.stream().mapToInt(Integer::intValue).toArray(), h.tokens());
    assertEquals(total, h.logProb(), 1e-9);
  }

  @Test
  void matchesTheFormatSpecTranscriptionOnManyRandomCases() {
    Random r = new Random(42);
    for (int c = 0; c < 300; c++) {
      int vocab = 5 + r.nextInt(12);
      int beam = 1 + r.nextInt(6);
      int maxLength = 1 + r.nextInt(8);
      double alpha = r.nextBoolean() ? 0.0 : r.nextDouble() * 2;
      Toy toy = new Toy(vocab, r.nextLong(), r.nextInt(3) == 0 ? 3 : 0); // a third with many ties
      List<BeamSearch.Hypothesis> got = search(vocab).search(toy, beam, maxLength, alpha);
      List<BeamSearch.Hypothesis> want = Reference.search(toy, vocab, beam, maxLength, alpha);
      assertEquals(want.size(), got.size(), "case " + c);
      for (int i = 0; i < want.size(); i++) {
        assertArrayEquals(want.get(i).tokens(), got.get(i).tokens(), "case " + c + " rank " + i);
        assertEquals(want.get(i).score(), got.get(i).score(), 1e-12);
        assertEquals(want.get(i).ended(), got.get(i).ended());
      }
      assertTrue(got.size() <= beam);
    }
  }

  @Test
  void tiesBreakByBeamThenToken() {
    // every token equally likely: the kept candidates are beam 0's lowest tokens first
    BeamSearch.StepFunction flat =
        new BeamSearch.StepFunction() {
          @Override
          public float[][][] initialState() {
            return new float[][][] {{{0f}}};
          }

          @Override
          public BeamSearch.Step step(int[] tokens, float[][][] states, boolean first) {
            float[][] lp = new float[tokens.length][8];
            for (float[] row : lp) {
              Arrays.fill(row, (float) Math.log(1.0 / 8));
            }
            return new BeamSearch.Step(lp, states);
          }
        };
    List<BeamSearch.Hypothesis> found = search(8).search(flat, 3, 2, 0.0);
    // step 1 keeps END (finished), 4, 5; step 2 keeps (beam 0, END) and (beam 0, 4)
    assertEquals(3, found.size());
    assertArrayEquals(new int[] {}, found.get(0).tokens());
    assertTrue(found.get(0).ended());
    assertArrayEquals(new int[] {4}, found.get(1).tokens());
    assertTrue(found.get(1).ended());
    assertArrayEquals(new int[] {4, 4}, found.get(2).tokens());
    assertTrue(!found.get(2).ended());
  }

  @Test
  void lengthNormalisationCountsEnd() {
    Toy toy = new Toy(9, 5, 0);
    for (BeamSearch.Hypothesis h : search(9).search(toy, 4, 6, 0.7)) {
      int n = h.tokens().length + (h.ended() ? 1 : 0);
      assertEquals(h.logProb() / Math.pow(n, 0.7), h.score(), 1e-12);
    }
  }

  /** models/FORMAT.md's pseudo-code, transcribed as literally as possible. */
  static final class Reference {
    record Cand(double score, int beam, int token) {}

    static List<BeamSearch.Hypothesis> search(
        Toy f, int vocab, int k, int maxLength, double alpha) {
      List<int[]> live = new ArrayList<>(List.of(new int[0]));
      List<Double> scores = new ArrayList<>(List.of(0.0));
      float[][][] states = f.initialState();
      List<Object[]> finished = new ArrayList<>(); // {tokens, score, ended}
      for (int step = 1; step <= maxLength && !live.isEmpty(); step++) {
        int[] feed = new int[live.size()];
        for (int b = 0; b < live.size(); b++) {
          int[] t = live.get(b);
          feed[b] = t.length == 0 ? START : t[t.length - 1];
        }
        BeamSearch.Step out = f.step(feed, states, step == 1);
        List<Cand> cands = new ArrayList<>();
        for (int b = 0; b < live.size(); b++) {
          for (int t = 0; t < vocab; t++) {
            if (t != PAD && t != START && t != UNK) {
              cands.add(new Cand(scores.get(b) + out.logProbs()[b][t], b, t));
            }
          }
        }
        cands.sort(
            Comparator.comparingDouble((Cand c) -> -c.score())
                .thenComparingInt(Cand::beam)
                .thenComparingInt(Cand::token));
        List<Cand> kept = cands.subList(0, Math.min(k - finished.size(), cands.size()));
        List<int[]> nextLive = new ArrayList<>();
        List<Double> nextScores = new ArrayList<>();
        List<Integer> rows = new ArrayList<>();
        for (Cand c : kept) {
          if (c.token() == END) {
            finished.add(new Object[] {live.get(c.beam()), c.score(), true});
          } else {
            int[] seq = Arrays.copyOf(live.get(c.beam()), live.get(c.beam()).length + 1);
            seq[seq.length - 1] = c.token();
            nextLive.add(seq);
            nextScores.add(c.score());
            rows.add(c.beam());
          }
        }
        float[][][] next = new float[1][rows.size()][];
        for (int j = 0; j < rows.size(); j++) {
          next[0][j] = out.states()[0][rows.get(j)];
        }
        live = nextLive;
        scores = nextScores;
        states = next;
      }
      for (int b = 0; b < live.size(); b++) {
        finished.add(new Object[] {live.get(b), scores.get(b), false});
      }
      List<BeamSearch.Hypothesis> out = new ArrayList<>();
      for (Object[] f2 : finished) {
        int[] t = (int[]) f2[0];
        double lp = (Double) f2[1];
        boolean ended = (Boolean) f2[2];
        int n = t.length + (ended ? 1 : 0);
        out.add(new BeamSearch.Hypothesis(t, lp, alpha == 0 ? lp : lp / Math.pow(n, alpha), ended));
      }
      out.sort(Comparator.comparingDouble((BeamSearch.Hypothesis h) -> -h.score()));
      return out;
    }
  }
}
