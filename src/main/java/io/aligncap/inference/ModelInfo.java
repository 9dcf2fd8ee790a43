package io.aligncap.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.aligncap.model.Manifest;
import java.util.List;

/** One served model as {@code GET /v1/models} shows it: identity, manifest figures, provider. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelInfo(
    String modelId,
    String modelVersion,
    String created,
    String formatVersion,
    String location,
    String provider,
    boolean ready,
    int vocabularySize,
    int imageInputSize,
    int regions,
    double mrfBeta,
    Decoder decoder,
    Decoder regionDecoder,
    JsonNode dataset,
    JsonNode evaluation) {

  /** The figures of one generator. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Decoder(String cell, int hiddenSize, List<String> stateNames, int maxLength) {
    static Decoder of(Manifest.DecoderSpec d) {
      return new Decoder(d.cell(), d.hiddenSize(), d.stateNames(), d.maxLength());
    }
  }

  static ModelInfo of(Manifest m, String location, ServedModel.Status status) {
    return new ModelInfo(
        m.modelId(),
        m.modelVersion(),
        m.created(),
        m.formatVersion(),
        location,
        status.provider(),
        status.ready(),
        m.vocabulary().size(),
        m.image().inputSize(),
        m.regions().count(),
        m.alignment().mrfBeta(),
        Decoder.of(m.decoder()),
        Decoder.of(m.regionDecoder()),
        m.dataset(),
        m.evaluation());
  }
}
