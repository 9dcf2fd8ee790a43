package io.aligncap.api;

import io.aligncap.inference.CaptionOptions;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * The query options of {@code POST /v1/captions/image}. Numbers arrive as text so that a malformed
 * one is a 422 naming it; the OpenAPI document types and bounds them ({@link OpenApiLimits}).
 */
public class CaptionQuery {

  @RestQuery("beam_size")
  @Parameter(description = "Beam size, 1 (greedy) or more", example = "3")
  String beamSize;

  @RestQuery("max_length")
  @Parameter(description = "Most words per caption", example = "20")
  String maxLength;

  @RestQuery("length_normalization")
  @Parameter(
      description = "Length normalisation exponent alpha (log_prob / n^alpha)",
      example = "0")
  String lengthNormalization;

  @RestQuery("results")
  @Parameter(description = "How many captions to return (n-best), at most beam_size", example = "1")
  String results;

  @RestQuery("regions")
  @Parameter(description = ApiDocs.REGION_TEXT)
  List<String> regions;

  @RestQuery("dense")
  @Parameter(description = ApiDocs.DENSE)
  String dense;

  CaptionOptions options() {
    return RequestParsing.options(
        beamSize, maxLength, lengthNormalization, results, regions, dense);
  }
}
