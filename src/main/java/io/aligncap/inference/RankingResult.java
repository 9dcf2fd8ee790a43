package io.aligncap.inference;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * Candidate sentences sorted by S_kl, best first ({@code POST /v1/rankings}); ties keep request
 * order.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RankingResult(
    String modelId,
    String modelVersion,
    String provider,
    List<Ranked> rankings,
    Map<String, Double> timingsMs) {

  /**
   * @param index the sentence's position in the request
   * @param score S_kl
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Ranked(int index, String sentence, double score) {}
}
