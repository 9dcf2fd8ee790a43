package io.aligncap.api;

import io.aligncap.inference.Captioner;
import io.aligncap.inference.ReadinessState;
import io.aligncap.model.Manifest;
import io.aligncap.model.ModelRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /v1/models}: the loaded model, its manifest figures and the provider in use. */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "models", description = "The model being served")
public class ModelResource {

  private final ModelRegistry registry;
  private final Captioner captioner;
  private final ReadinessState state;

  ModelResource(ModelRegistry registry, Captioner captioner, ReadinessState state) {
    this.registry = registry;
    this.captioner = captioner;
    this.state = state;
  }

  @GET
  @Operation(summary = "The loaded model, its manifest figures and the execution provider")
  public ModelInfo.Models models() {
    Manifest m = registry.manifest();
    return new ModelInfo.Models(
        List.of(
            new ModelInfo(
                m.modelId(), m.modelVersion(), m.created(), m.formatVersion(),
                registry.current().location(), captioner.provider(), state.ready(),
                m.vocabulary().size(), m.image().inputSize(), m.regions().count(),
                m.alignment().mrfBeta(), ModelInfo.Decoder.of(m.decoder()),
                ModelInfo.Decoder.of(m.regionDecoder()), m.dataset(), m.evaluation())));
  }
}
