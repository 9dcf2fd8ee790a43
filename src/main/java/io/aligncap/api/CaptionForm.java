package io.aligncap.api;

import io.aligncap.inference.CaptionOptions;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * The multipart form of {@code POST /v1/captions/form}: the image as the file part {@code image},
 * the options as text fields. Numbers arrive as text so that a malformed one is a 422 naming it;
 * the OpenAPI document types and bounds them ({@link OpenApiLimits}).
 */
@Schema(name = "CaptionForm", requiredProperties = "image")
public class CaptionForm {

  @RestForm("image")
  @Schema(description = ApiDocs.IMAGE_PART)
  public FileUpload image;

  @RestForm("beam_size")
  @Schema(name = "beam_size", description = "Beam size, 1 (greedy) or more", example = "3")
  public String beamSize;

  @RestForm("max_length")
  @Schema(name = "max_length", description = "Most words per caption", example = "20")
  public String maxLength;

  @RestForm("length_normalization")
  @Schema(
      name = "length_normalization",
      description = "Length normalisation exponent alpha (log_prob / n^alpha)",
      example = "0")
  public String lengthNormalization;

  @RestForm("results")
  @Schema(description = "How many captions to return (n-best), at most beam_size", example = "1")
  public String results;

  @RestForm("regions")
  @Schema(description = ApiDocs.REGION_TEXT)
  public List<String> regions;

  @RestForm("dense")
  @Schema(description = ApiDocs.DENSE)
  public String dense;

  CaptionOptions options() {
    return RequestParsing.options(
        beamSize, maxLength, lengthNormalization, results, regions, dense);
  }
}
