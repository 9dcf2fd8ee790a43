package io.aligncap.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * JSON body of {@code POST /v1/alignments}. Bound of {@code beta}: {@code
 * aligncap.alignment.max-beta}, stated in the OpenAPI document by {@link OpenApiLimits}.
 */
public record AlignmentRequest(
    @Schema(description = "The image file, base64-encoded", required = true) String image,
    @Schema(description = "The sentence to align", example = "a dog on the grass", required = true)
        String sentence,
    @Schema(
            description =
                "MRF smoothing β (paper §3.1.4): higher gives longer snippets; default the model's",
            example = "1.5")
        Double beta) {

  static final AlignmentRequest EMPTY = new AlignmentRequest(null, null, null);
}
