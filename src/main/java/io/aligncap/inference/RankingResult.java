package io.aligncap.inference;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * Candidate sentences sorted by S_kl, best first ({@code POST /v1/rankings}); ties keep request
 * order.
 *
 * @param imageWidth width of the upright image in pixels
 * @param imageHeight height of the upright image in pixels
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RankingResult(
    String modelId,
    String modelVersion,
    String provider,
    int imageWidth,
    int imageHeight,
    List<Ranked> rankings,
    Map<String, Double> timingsMs) {

  /**
   * @param index the sentence's position in the request
   * @param score S_kl
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Ranked(int index, String sentence, double score) {}
}
