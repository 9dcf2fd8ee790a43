package io.aligncap.api;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** JSON body of {@code POST /v1/rankings}. */
public record RankingRequest(
    @Schema(description = "The image file, base64-encoded", required = true) String image,
    @Schema(description = "Candidate sentences", required = true) List<String> candidates) {}
