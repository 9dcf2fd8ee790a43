package io.aligncap.api;

import io.aligncap.inference.AlignmentResult;
import io.aligncap.inference.Captioner;
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
 * {@code POST /v1/alignments}: image + sentence → S_kl, word regions, MRF snippets; JSON, a form
 * ({@code /form}) or the image as the body ({@code /image}).
 */
@Path("/v1/alignments")
@Produces(MediaType.APPLICATION_JSON)
@Tag(
    name = "alignments",
    description = "Which region of the image each word of a sentence refers to")
public class AlignmentResource {

  private final Captioner captioner;
  private final BodyBudget bodies;

  AlignmentResource(Captioner captioner, BodyBudget bodies) {
    this.captioner = captioner;
    this.bodies = bodies;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "alignJson",
      summary = "Align a sentence to a base64-encoded image",
      description = ApiDocs.ALIGN)
  @APIResponse(
      responseCode = "200",
      description = "Score, word regions and snippets",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = AlignmentResult.class),
              examples = @ExampleObject(name = "alignment", value = ApiDocs.ALIGN_EXAMPLE)))
  public AlignmentResult json(AlignmentRequest request) {
    AlignmentRequest r = request == null ? AlignmentRequest.EMPTY : request;
    return captioner.align(RequestParsing.base64(r.image()), null, r.sentence(), r.beta());
  }

  @POST
  @Path(ApiDocs.FORM)
  @Consumes(MediaType.MULTIPART_FORM_DATA)
  @Operation(
      operationId = "alignForm",
      summary = "Align the form's `sentence` to the image uploaded as its file part `image`",
      description = ApiDocs.ALIGN)
  @APIResponse(
      responseCode = "200",
      description = "Score, word regions and snippets",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = AlignmentResult.class),
              examples = @ExampleObject(name = "alignment", value = ApiDocs.ALIGN_EXAMPLE)))
  public AlignmentResult form(AlignmentForm form) {
    return bodies.read(
        form.image,
        image ->
            captioner.align(
                image,
                RequestParsing.contentType(form.image),
                form.sentence,
                RequestParsing.number("beta", form.beta)));
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
      operationId = "alignImage",
      summary = "Align the query's `sentence` to an image sent as the body",
      description = ApiDocs.ALIGN)
  @APIResponse(
      responseCode = "200",
      description = "Score, word regions and snippets",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = AlignmentResult.class),
              examples = @ExampleObject(name = "alignment", value = ApiDocs.ALIGN_EXAMPLE)))
  public AlignmentResult image(
      byte[] body,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      @BeanParam AlignmentQuery query) {
    return captioner.align(
        body, contentType, query.sentence, RequestParsing.number("beta", query.beta));
  }

  /** The bare path also takes the form, as before the operations were split (issue 15). */
  @POST
  @Consumes(MediaType.MULTIPART_FORM_DATA)
  @Operation(hidden = true)
  public AlignmentResult formAtRoot(AlignmentForm form) {
    return form(form);
  }

  /** The bare path also takes the image itself, of any image type (a wrong one is a 415). */
  @POST
  @Consumes({"image/*", MediaType.APPLICATION_OCTET_STREAM})
  @Operation(hidden = true)
  public AlignmentResult imageAtRoot(
      byte[] body,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      @BeanParam AlignmentQuery query) {
    return image(body, contentType, query);
  }
}
