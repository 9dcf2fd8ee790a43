package io.aligncap.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** JSON body of {@code POST /v1/alignments}. */
public record AlignmentRequest(
    @Schema(description = "The image file, base64-encoded", required = true) String image,
    @Schema(description = "The sentence to align", example = "a dog on the grass", required = true)
        String sentence) {}
