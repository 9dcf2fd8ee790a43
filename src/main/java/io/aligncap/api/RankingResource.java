package io.aligncap.api;

import io.aligncap.inference.Captioner;
import io.aligncap.inference.RankingResult;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * {@code POST /v1/rankings}: image + candidate sentences → sorted by S_kl (image–sentence
 * retrieval).
 */
@Path("/v1/rankings")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "rankings", description = "Which sentences describe the image best")
public class RankingResource {

  private final Captioner captioner;

  RankingResource(Captioner captioner) {
    this.captioner = captioner;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Rank candidate sentences for a base64-encoded image",
      description = ApiDocs.RANK)
  @APIResponse(
      responseCode = "200",
      description = "Candidates, best first",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = RankingResult.class),
              examples = @ExampleObject(name = "ranking", value = ApiDocs.RANK_EXAMPLE)))
  @APIResponse(responseCode = "422", description = "No candidates, too many, or an empty one")
  public RankingResult json(RankingRequest request) {
    RankingRequest r = request == null ? new RankingRequest(null, null) : request;
    return captioner.rank(RequestParsing.base64(r.image()), null, r.candidates());
  }

  @POST
  @Consumes(MediaType.MULTIPART_FORM_DATA)
  @Operation(
      summary = "Rank candidates (repeated field `candidates`) for an uploaded image",
      description = ApiDocs.RANK)
  public RankingResult multipart(
      @RestForm("image") FileUpload image, @RestForm("candidates") List<String> candidates) {
    return captioner.rank(
        RequestParsing.bytes(image), RequestParsing.contentType(image), candidates);
  }

  @POST
  @Consumes({"image/*", MediaType.APPLICATION_OCTET_STREAM})
  @Operation(
      summary = "Rank the query's repeated `candidates` for an image sent as the raw body",
      description = ApiDocs.RANK)
  public RankingResult raw(
      byte[] body,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      @RestQuery("candidates") List<String> candidates) {
    return captioner.rank(body, contentType, candidates);
  }
}
