package io.aligncap.api;

import io.aligncap.inference.AlignmentResult;
import io.aligncap.inference.Captioner;
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
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** {@code POST /v1/alignments}: image + sentence → S_kl, word regions, MRF snippets. */
@Path("/v1/alignments")
@Produces(MediaType.APPLICATION_JSON)
@Tag(
    name = "alignments",
    description = "Which region of the image each word of a sentence refers to")
public class AlignmentResource {

  private final Captioner captioner;

  AlignmentResource(Captioner captioner) {
    this.captioner = captioner;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Align a sentence to a base64-encoded image", description = ApiDocs.ALIGN)
  @APIResponse(
      responseCode = "200",
      description = "Score, word regions and snippets",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = AlignmentResult.class),
              examples = @ExampleObject(name = "alignment", value = ApiDocs.ALIGN_EXAMPLE)))
  @APIResponse(responseCode = "422", description = "Empty or too long sentence")
  public AlignmentResult json(AlignmentRequest request) {
    AlignmentRequest r = request == null ? AlignmentRequest.EMPTY : request;
    return captioner.align(RequestParsing.base64(r.image()), null, r.sentence(), r.beta());
  }

  @POST
  @Consumes(MediaType.MULTIPART_FORM_DATA)
  @Operation(
      summary = "Align a sentence to an uploaded image (fields `image`, `sentence`)",
      description = ApiDocs.ALIGN)
  public AlignmentResult multipart(
      @RestForm("image") FileUpload image,
      @RestForm("sentence") String sentence,
      @RestForm("beta") String beta) {
    return captioner.align(
        RequestParsing.bytes(image),
        RequestParsing.contentType(image),
        sentence,
        RequestParsing.number("beta", beta));
  }

  @POST
  @Consumes({"image/*", MediaType.APPLICATION_OCTET_STREAM})
  @Operation(
      summary = "Align the query's `sentence` to an image sent as the raw body",
      description = ApiDocs.ALIGN)
  public AlignmentResult raw(
      byte[] body,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      @RestQuery("sentence") String sentence,
      @Parameter(description = "MRF smoothing β; higher gives longer snippets; default the model's")
          @RestQuery("beta")
          String beta) {
    return captioner.align(body, contentType, sentence, RequestParsing.number("beta", beta));
  }
}
