package io.aligncap.inference;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * An image–sentence alignment ({@code POST /v1/alignments}).
 *
 * @param imageWidth width of the upright image in pixels (boxes refer to it)
 * @param imageHeight height of the upright image in pixels
 * @param score S_kl of paper eq. 8
 * @param beta the MRF's β the snippets were smoothed with (the request's, or the model's)
 * @param words each word's best region (argmax, ties → lowest index) with its box and score
 * @param snippets runs of the MRF-smoothed assignment with boxes
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AlignmentResult(
    String modelId,
    String modelVersion,
    String provider,
    int imageWidth,
    int imageHeight,
    String sentence,
    double score,
    double beta,
    List<WordRegion> words,
    List<Snippet> snippets,
    Map<String, Double> timingsMs) {

  /**
   * @param token the word's id (the unknown id for a word outside the vocabulary)
   * @param region the word's best region
   * @param box the region's box in pixels of the upright image
   * @param score the region's detection score (1 for the whole image)
   * @param strength how strongly the word aligns: {@code max_i v_i·s_t} (paper eq. 8's term)
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record WordRegion(
      String word, int token, int region, double[] box, double score, double strength) {}
}
