package io.aligncap.inference;

import io.aligncap.image.DecodedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores, word regions and MRF snippets of a sentence against an image's region embeddings, with
 * region boxes scaled to the image's pixels.
 */
final class Alignments {

  record Aligned(double score, List<AlignmentResult.WordRegion> words, List<Snippet> snippets) {}

  private final double beta;

  Alignments(double beta) {
    this.beta = beta;
  }

  Aligned align(
      ImageEncoder.Features f, float[][] wordVectors, DecodedImage image, Tokenizer.Tokens tokens) {
    double[][] dots = Scorer.dots(wordVectors, f.regionEmbeddings());
    int[] best = Scorer.wordRegions(dots);
    List<AlignmentResult.WordRegion> words = new ArrayList<>();
    for (int t = 0; t < best.length; t++) {
      words.add(
          new AlignmentResult.WordRegion(
              tokens.words().get(t), tokens.ids()[t], best[t], box(f, best[t], image)));
    }
    return new Aligned(Scorer.score(dots), words, snippets(dots, f, image, tokens.words()));
  }

  List<Snippet> snippets(
      ImageEncoder.Features f, float[][] wordVectors, DecodedImage image, List<String> words) {
    return snippets(Scorer.dots(wordVectors, f.regionEmbeddings()), f, image, words);
  }

  private List<Snippet> snippets(
      double[][] dots, ImageEncoder.Features f, DecodedImage image, List<String> words) {
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
              box(f, s.region(), image)));
    }
    return out;
  }

  /** Region {@code i}'s normalised box in pixels of the (oriented) source image. */
  private static double[] box(ImageEncoder.Features f, int i, DecodedImage image) {
    float[] b = f.regionBoxes()[i];
    return new double[] {
      b[0] * (double) image.sourceWidth(), b[1] * (double) image.sourceHeight(),
      b[2] * (double) image.sourceWidth(), b[3] * (double) image.sourceHeight()
    };
  }
}
