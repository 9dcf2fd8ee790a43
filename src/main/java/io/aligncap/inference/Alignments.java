package io.aligncap.inference;

import io.aligncap.image.DecodedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores, word regions and MRF snippets of a sentence against an image's regions (models/FORMAT.md
 * "Image–sentence score", "Word → region and MRF snippets"), each region reported with its box in
 * pixels of the upright image and its detection score.
 */
final class Alignments {

  record Aligned(double score, List<AlignmentResult.WordRegion> words, List<Snippet> snippets) {}

  private Alignments() {}

  /**
   * S_kl of a sentence's word vectors {@code [length][embedding]}: what {@link #align} reports, for
   * the rankings (one scoring path, one precision: issue 11).
   */
  static double score(ImageEncoder.Features f, float[][] wordVectors) {
    return Scorer.score(Scorer.dots(wordVectors, f.regionEmbeddings()));
  }

  /**
   * @param wordVectors {@code [length][embedding]} s_t of the sentence
   * @param beta the MRF's reward for neighbouring words sharing a region
   */
  static Aligned align(
      ImageEncoder.Features f,
      float[][] wordVectors,
      DecodedImage image,
      Tokenizer.Tokens tokens,
      double beta) {
    double[][] dots = Scorer.dots(wordVectors, f.regionEmbeddings());
    int[] best = Scorer.wordRegions(dots);
    double[] strengths = Scorer.strengths(dots);
    List<AlignmentResult.WordRegion> words = new ArrayList<>();
    for (int t = 0; t < best.length; t++) {
      int i = best[t];
      words.add(
          new AlignmentResult.WordRegion(
              tokens.words().get(t),
              tokens.ids()[t],
              i,
              box(f, i, image),
              f.regionScores()[i],
              strengths[t]));
    }
    return new Aligned(Scorer.score(dots), words, snippets(dots, f, image, tokens.words(), beta));
  }

  /** The MRF snippets of a sentence's words (the best caption's, for {@code /v1/captions}). */
  static List<Snippet> snippets(
      ImageEncoder.Features f,
      float[][] wordVectors,
      DecodedImage image,
      List<String> words,
      double beta) {
    return snippets(Scorer.dots(wordVectors, f.regionEmbeddings()), f, image, words, beta);
  }

  private static List<Snippet> snippets(
      double[][] dots,
      ImageEncoder.Features f,
      DecodedImage image,
      List<String> words,
      double beta) {
    List<Snippet> out = new ArrayList<>();
    for (MrfAligner.Run s : MrfAligner.runs(MrfAligner.align(dots, beta))) {
      List<String> run = words.subList(s.start(), s.end());
      out.add(
          new Snippet(
              s.start(),
              s.end(),
              List.copyOf(run),
              String.join(" ", run),
              s.region(),
              box(f, s.region(), image),
              f.regionScores()[s.region()]));
    }
    return out;
  }

  /** Region {@code i}'s box in pixels of the upright image before subsampling. */
  private static double[] box(ImageEncoder.Features f, int i, DecodedImage image) {
    return Regions.pixels(f.regionBoxes()[i], image.sourceWidth(), image.sourceHeight());
  }
}
