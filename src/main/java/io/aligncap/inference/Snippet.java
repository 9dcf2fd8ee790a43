package io.aligncap.inference;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * A run of words the MRF assigned to one region (paper §3.1.4).
 *
 * @param start index of the first word
 * @param end one past the last word
 * @param words the run's words
 * @param text the words joined by spaces
 * @param region the region index: a detection, or the manifest's {@code regions.whole_image_index}
 *     for the whole image
 * @param box the region's box in pixels of the upright image, {@code [x0, y0, x1, y1]}
 * @param score the region's detection score (1 for the whole image, 0 for an empty slot)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Snippet(
    int start, int end, List<String> words, String text, int region, double[] box, double score) {}
