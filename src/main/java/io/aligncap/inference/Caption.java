package io.aligncap.inference;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * One decoded caption.
 *
 * @param words the caption's words (END excluded)
 * @param text the words joined by spaces
 * @param tokens the words' ids, then END's id when END was emitted (absent when the caption was
 *     truncated at max_length), as the reference decoder reports them
 * @param logProb sum of the log-probabilities, END included when emitted
 * @param score the ranking score {@code log_prob / n_tokens^alpha}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Caption(
    List<String> words, String text, int[] tokens, double logProb, double score) {}
