package io.aligncap.api;

import io.aligncap.inference.Captioner;
import io.aligncap.inference.RankingResult;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code POST /v1/rankings}: image + candidate sentences → sorted by S_kl (image–sentence
 * retrieval); JSON, a form ({@code /form}) or the image as the body ({@code /image}).
 */
@Path("/v1/rankings")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "rankings", description = "Which sentences describe the image best")
public class RankingResource {

  private final Captioner captioner;
  private final BodyBudget bodies;

  RankingResource(Captioner captioner, BodyBudget bodies) {
    this.captioner = captioner;
    this.bodies = bodies;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "rankJson",
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
  public RankingResult json(RankingRequest request) {
    RankingRequest r = request == null ? new RankingRequest(null, null) : request;
    return captioner.rank(RequestParsing.base64(r.image()), null, r.candidates());
  }

  @POST
  @Path(ApiDocs.FORM)
  @Consumes(MediaType.MULTIPART_FORM_DATA)
  @Operation(
      operationId = "rankForm",
      summary = "Rank the form's repeated `candidates` for the image uploaded as its part `image`",
      description = ApiDocs.RANK)
  @APIResponse(
      responseCode = "200",
      description = "Candidates, best first",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = RankingResult.class),
              examples = @ExampleObject(name = "ranking", value = ApiDocs.RANK_EXAMPLE)))
  public RankingResult form(RankingForm form) {
    return bodies.read(
        form.image,
        image -> captioner.rank(image, RequestParsing.contentType(form.image), form.candidates));
  }

  @POST
  @Path(ApiDocs.IMAGE)
  @Consumes({
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "image/bmp",
    MediaType.APPLICATION_OCTET_STREAM
  })
  @Operation(
      operationId = "rankImage",
      summary = "Rank the query's repeated `candidates` for an image sent as the body",
      description = ApiDocs.RANK)
  @APIResponse(
      responseCode = "200",
      description = "Candidates, best first",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = RankingResult.class),
              examples = @ExampleObject(name = "ranking", value = ApiDocs.RANK_EXAMPLE)))
  public RankingResult image(
      byte[] body,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      @BeanParam RankingQuery query) {
    return captioner.rank(body, contentType, query.candidates);
  }

  /** The bare path also takes the form, as before the operations were split (issue 15). */
  @POST
  @Consumes(MediaType.MULTIPART_FORM_DATA)
  @Operation(hidden = true)
  public RankingResult formAtRoot(RankingForm form) {
    return form(form);
  }

  /** The bare path also takes the image itself, of any image type (a wrong one is a 415). */
  @POST
  @Consumes({"image/*", MediaType.APPLICATION_OCTET_STREAM})
  @Operation(hidden = true)
  public RankingResult imageAtRoot(
      byte[] body,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      @BeanParam RankingQuery query) {
    return image(body, contentType, query);
  }
}
