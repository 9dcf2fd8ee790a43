package io.aligncap.inference;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A greedy caption of a requested box, decoded with {@code region_decoder}.
 *
 * @param box the requested box in pixels, clipped to the image
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RegionCaption(double[] box, Caption caption) {}
