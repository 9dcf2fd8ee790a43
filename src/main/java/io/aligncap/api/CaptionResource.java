package io.aligncap.api;

import io.aligncap.inference.CaptionResult;
import io.aligncap.inference.Captioner;
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
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * {@code POST /v1/captions}: the image as the raw body, a multipart form, or JSON with base64,
 * handed to {@link Captioner} as bytes with the options.
 */
@Path("/v1/captions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "captions", description = "Captions of a whole image and of boxes in it")
public class CaptionResource {

  private final Captioner captioner;

  CaptionResource(Captioner captioner) {
    this.captioner = captioner;
  }

  @POST
  @Consumes({"image/*", MediaType.APPLICATION_OCTET_STREAM})
  @Operation(summary = "Caption an image sent as the raw body", description = ApiDocs.CAPTION)
  @APIResponse(
      responseCode = "200",
      description = "Captions, best first",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = CaptionResult.class),
              examples = @ExampleObject(name = "beam 3", value = ApiDocs.CAPTION_EXAMPLE)))
  @APIResponse(
      responseCode = "400",
      description = "Undecodable or truncated image",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class),
              examples = @ExampleObject(name = "truncated", value = ApiDocs.PROBLEM_EXAMPLE)))
  @APIResponse(responseCode = "413", description = "Image over a size limit")
  @APIResponse(responseCode = "415", description = "Not a supported image format")
  @APIResponse(responseCode = "422", description = "Option out of range")
  @APIResponse(responseCode = "503", description = "Model not ready")
  public CaptionResult raw(
      byte[] body,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      @Parameter(description = "Beam size, 1 (greedy) or more", example = "3")
          @RestQuery("beam_size")
          String beamSize,
      @Parameter(description = "Most words per caption") @RestQuery("max_length") String maxLength,
      @Parameter(description = "Length normalisation exponent alpha")
          @RestQuery("length_normalization")
          String alpha,
      @Parameter(description = "Number of captions (n-best) to return") @RestQuery("results")
          String results,
      @Parameter(
              description =
                  "A box to caption, x0,y0,x1,y1 in pixels (e.g. 10,10,120,90); repeat for more")
          @RestQuery("regions")
          List<String> regions,
      @Parameter(
              description =
                  "true: also caption every detected region (dense_captions), when the model has"
                      + " a region decoder")
          @RestQuery("dense")
          String dense) {
    return captioner.caption(
        body,
        contentType,
        RequestParsing.options(beamSize, maxLength, alpha, results, regions, dense));
  }

  @POST
  @Consumes(MediaType.MULTIPART_FORM_DATA)
  @Operation(
      summary = "Caption an image uploaded as the form field `image`",
      description = ApiDocs.CAPTION)
  public CaptionResult multipart(
      @RestForm("image") FileUpload image,
      @RestForm("beam_size") String beamSize,
      @RestForm("max_length") String maxLength,
      @RestForm("length_normalization") String alpha,
      @RestForm("results") String results,
      @RestForm("regions") List<String> regions,
      @RestForm("dense") String dense) {
    return captioner.caption(
        RequestParsing.bytes(image),
        RequestParsing.contentType(image),
        RequestParsing.options(beamSize, maxLength, alpha, results, regions, dense));
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Caption a base64-encoded image", description = ApiDocs.CAPTION)
  public CaptionResult json(CaptionRequest request) {
    CaptionRequest r = request == null ? CaptionRequest.EMPTY : request;
    return captioner.caption(RequestParsing.base64(r.image()), null, r.options());
  }
}
