package io.aligncap.inference;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A detected region with its greedy caption from {@code region_decoder} (models/FORMAT.md "Dense
 * captions").
 *
 * @param box the detection's box in pixels of the upright image, {@code [x0, y0, x1, y1]}
 * @param score its detection score, at least the manifest's {@code regions.score_threshold}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DenseCaption(double[] box, double score, Caption caption) {}
