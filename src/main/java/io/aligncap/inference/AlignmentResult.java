package io.aligncap.inference;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * An image–sentence alignment ({@code POST /v1/alignments}).
 *
 * @param score S_kl of paper eq. 8
 * @param words each word's best region (argmax, ties → lowest index) and its box
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
    List<WordRegion> words,
    List<Snippet> snippets,
    Map<String, Double> timingsMs) {

  /**
   * @param token the word's id (the unknown id for a word outside the vocabulary)
   * @param box the region's box in pixels
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record WordRegion(String word, int token, int region, double[] box) {}
}
