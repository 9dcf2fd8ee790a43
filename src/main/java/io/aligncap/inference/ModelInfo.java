package io.aligncap.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.aligncap.model.Manifest;
import java.util.List;

/**
 * One served model as {@code GET /v1/models} shows it: identity, what it can do, manifest figures,
 * provider.
 *
 * @param source where the package was loaded from, as a kind ({@code directory}, {@code classpath}
 *     or {@code s3}): the server's file system is not shown (issue 11)
 * @param regions regions per image: the detections, then the whole image
 * @param detections how many of them are detected boxes
 * @param scoreThreshold a detection at least this sure is captioned densely
 * @param capabilities what the package offers beyond whole-image captions and alignments
 * @param regionDecoder the region generator's figures; null when the package has none
 * @param detector the manifest's {@code detector} (kinds, configuration, training)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelInfo(
    String modelId,
    String modelVersion,
    String created,
    String formatVersion,
    String source,
    String provider,
    boolean ready,
    int vocabularySize,
    int imageInputSize,
    int regions,
    int detections,
    double scoreThreshold,
    double mrfBeta,
    Capabilities capabilities,
    Decoder decoder,
    Decoder regionDecoder,
    JsonNode detector,
    JsonNode dataset,
    JsonNode evaluation) {

  /**
   * @param regionCaptions captions of boxes a client names ({@code regions}); false without a
   *     region decoder, and such a request is refused (422)
   * @param denseCaptions captions of every detection ({@code dense=true}); false without a region
   *     decoder, and such a request gets no {@code dense_captions}
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Capabilities(boolean regionCaptions, boolean denseCaptions) {}

  /** The figures of one generator. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Decoder(String cell, int hiddenSize, List<String> stateNames, int maxLength) {
    static Decoder of(Manifest.DecoderSpec d) {
      return d == null
          ? null
          : new Decoder(d.cell(), d.hiddenSize(), d.stateNames(), d.maxLength());
    }
  }

  /** {@code s3} for {@code s3://...}, {@code classpath}, or {@code directory}. */
  static String sourceKind(String location) {
    if (location == null) {
      return null;
    }
    if (location.startsWith("classpath:")) {
      return "classpath";
    }
    int scheme = location.indexOf("://");
    return scheme > 0 ? location.substring(0, scheme) : "directory";
  }

  static ModelInfo of(Manifest m, String location, ServedModel.Status status) {
    boolean regionCaptions = m.regionCaptions();
    return new ModelInfo(
        m.modelId(),
        m.modelVersion(),
        m.created(),
        m.formatVersion(),
        sourceKind(location),
        status.provider(),
        status.ready(),
        m.vocabulary().size(),
        m.image().inputSize(),
        m.regions().count(),
        m.regions().detections(),
        m.regions().scoreThreshold(),
        m.alignment().mrfBeta(),
        new Capabilities(regionCaptions, regionCaptions),
        Decoder.of(m.decoder()),
        Decoder.of(m.regionDecoder()),
        m.detector(),
        m.dataset(),
        m.evaluation());
  }
}
