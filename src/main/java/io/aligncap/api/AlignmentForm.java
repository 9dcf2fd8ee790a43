package io.aligncap.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** The multipart form of {@code POST /v1/alignments/form}. */
@Schema(
    name = "AlignmentForm",
    requiredProperties = {"image", "sentence"})
public class AlignmentForm {

  @RestForm("image")
  @Schema(description = ApiDocs.IMAGE_PART)
  public FileUpload image;

  @RestForm("sentence")
  @Schema(description = "The sentence to align", example = "a dog on the grass")
  public String sentence;

  @RestForm("beta")
  @Schema(description = ApiDocs.BETA, example = "1.5")
  public String beta;
}
