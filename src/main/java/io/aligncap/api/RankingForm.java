package io.aligncap.api;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** The multipart form of {@code POST /v1/rankings/form}: {@code candidates} repeated. */
@Schema(
    name = "RankingForm",
    requiredProperties = {"image", "candidates"})
public class RankingForm {

  @RestForm("image")
  @Schema(description = ApiDocs.IMAGE_PART)
  public FileUpload image;

  @RestForm("candidates")
  @Schema(description = "Candidate sentences: the field repeated, one sentence each")
  public List<String> candidates;
}
