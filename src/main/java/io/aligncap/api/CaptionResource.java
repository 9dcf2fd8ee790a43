package io.aligncap.api;

import io.aligncap.inference.CaptionResult;
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
 * {@code POST /v1/captions}: the image as JSON with base64, a multipart form ({@code /form}) or the
 * body itself ({@code /image}), handed to {@link Captioner} as bytes with the options. Every error
 * answer is documented by {@link OpenApiContract}.
 */
@Path("/v1/captions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "captions", description = "Captions of a whole image and of boxes in it")
public class CaptionResource {

  private final Captioner captioner;
  private final BodyBudget bodies;

  CaptionResource(Captioner captioner, BodyBudget bodies) {
    this.captioner = captioner;
    this.bodies = bodies;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "captionJson",
      summary = "Caption a base64-encoded image; options in the JSON body",
      description = ApiDocs.CAPTION)
  @APIResponse(
      responseCode = "200",
      description = "Captions, best first",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = CaptionResult.class),
              examples = @ExampleObject(name = "captions", value = ApiDocs.CAPTION_EXAMPLE)))
  public CaptionResult json(CaptionRequest request) {
    CaptionRequest r = request == null ? CaptionRequest.EMPTY : request;
    return captioner.caption(RequestParsing.base64(r.image()), null, r.options());
  }

  @POST
  @Path(ApiDocs.FORM)
  @Consumes(MediaType.MULTIPART_FORM_DATA)
  @Operation(
      operationId = "captionForm",
      summary = "Caption an image uploaded as the form's file part `image`; options as fields",
      description = ApiDocs.CAPTION)
  @APIResponse(
      responseCode = "200",
      description = "Captions, best first",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = CaptionResult.class),
              examples = @ExampleObject(name = "captions", value = ApiDocs.CAPTION_EXAMPLE)))
  public CaptionResult form(CaptionForm form) {
    return bodies.read(
        form.image,
        image -> captioner.caption(image, RequestParsing.contentType(form.image), form.options()));
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
      operationId = "captionImage",
      summary = "Caption an image sent as the body; options in the query",
      description = ApiDocs.CAPTION)
  @APIResponse(
      responseCode = "200",
      description = "Captions, best first",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = CaptionResult.class),
              examples = @ExampleObject(name = "captions", value = ApiDocs.CAPTION_EXAMPLE)))
  public CaptionResult image(
      byte[] body,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      @BeanParam CaptionQuery query) {
    return captioner.caption(body, contentType, query.options());
  }

  /** The bare path also takes the form, as before the operations were split (issue 15). */
  @POST
  @Consumes(MediaType.MULTIPART_FORM_DATA)
  @Operation(hidden = true)
  public CaptionResult formAtRoot(CaptionForm form) {
    return form(form);
  }

  /** The bare path also takes the image itself, of any image type (a wrong one is a 415). */
  @POST
  @Consumes({"image/*", MediaType.APPLICATION_OCTET_STREAM})
  @Operation(hidden = true)
  public CaptionResult imageAtRoot(
      byte[] body,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      @BeanParam CaptionQuery query) {
    return image(body, contentType, query);
  }
}
