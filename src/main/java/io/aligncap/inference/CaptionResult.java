package io.aligncap.inference;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * Everything {@link Captioner#caption} computes for one image; serialised as the body of {@code
 * POST /v1/captions} (snake_case).
 *
 * @param provider the execution provider that ran the graphs ("cpu", "cuda", "tensorrt")
 * @param imageWidth width of the upright image in pixels (boxes refer to it)
 * @param imageHeight height of the upright image in pixels
 * @param captions the n-best captions, best first
 * @param snippets the best caption's MRF snippets with their boxes
 * @param regions captions of the requested boxes, in request order
 * @param denseCaptions with {@code dense=true} and a model that has a region decoder: every
 *     detection at least {@code regions.score_threshold} sure, best first, with its caption;
 *     otherwise absent from the JSON
 * @param timingsMs milliseconds per stage (decode, preprocess, image_encoder, decoder, alignment,
 *     box_encoder, region_decoder)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CaptionResult(
    String modelId,
    String modelVersion,
    String provider,
    int imageWidth,
    int imageHeight,
    List<Caption> captions,
    List<Snippet> snippets,
    List<RegionCaption> regions,
    @JsonInclude(JsonInclude.Include.NON_NULL) List<DenseCaption> denseCaptions,
    Map<String, Double> timingsMs) {}
