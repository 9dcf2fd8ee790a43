package io.aligncap.api;

import io.aligncap.inference.ModelInfo;
import io.aligncap.inference.ServedModel;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /v1/models}: the served model, its manifest figures and the provider in use. */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "models", description = "The model being served")
public class ModelResource {

  /** The body: a list, so that more models can be served later. */
  public record Models(List<ModelInfo> models) {}

  private final ServedModel served;

  ModelResource(ServedModel served) {
    this.served = served;
  }

  @GET
  @Operation(
      operationId = "listModels",
      summary = "The loaded model, its manifest figures and the execution provider")
  @APIResponse(
      responseCode = "200",
      description = "The served model",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = Models.class)))
  public Models models() {
    return new Models(List.of(served.info()));
  }
}
