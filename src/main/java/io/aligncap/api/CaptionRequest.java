package io.aligncap.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.aligncap.inference.CaptionOptions;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * JSON body of {@code POST /v1/captions}; Jackson has typed the options. Bounds: {@code
 * aligncap.decoding.*}, stated in the OpenAPI document by {@link OpenApiLimits}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CaptionRequest(
    @Schema(
            description = "The image file, base64-encoded (a data: URL prefix is accepted)",
            required = true)
        String image,
    @Schema(description = "Beam size, 1 (greedy) or more", example = "3") Integer beamSize,
    @Schema(description = "Most words per caption", example = "20") Integer maxLength,
    @Schema(description = "Length normalisation exponent alpha (log_prob / n^alpha)", example = "0")
        Double lengthNormalization,
    @Schema(description = "How many captions to return (n-best), at most beam_size", example = "1")
        Integer results,
    @Schema(description = "Boxes to caption, [x0, y0, x1, y1] in pixels of the upright image")
        List<double[]> regions,
    @Schema(
            description =
                "Also caption every detected region (dense_captions), when the model has a region"
                    + " decoder",
            example = "true")
        Boolean dense) {

  static final CaptionRequest EMPTY = new CaptionRequest(null, null, null, null, null, null, null);

  CaptionOptions options() {
    return new CaptionOptions(
        beamSize,
        maxLength,
        lengthNormalization,
        results,
        regions == null ? List.of() : regions,
        dense);
  }
}
