package io.aligncap.model;

/**
 * The tensor names models/FORMAT.md fixes for each graph. The manifest must declare them (checked
 * by {@link ManifestCheck}); their shapes and dtypes are read from the manifest and checked against
 * the sessions ({@link GraphContract}).
 */
public final class GraphNames {

  // preprocess: pixels (1, H, W, 3) uint8 -> image (1, S, S, 3) uint8
  public static final String PIXELS = "pixels";

  /** (B, S, S, 3) uint8: the model input; preprocess's output and image_encoder's input. */
  public static final String IMAGE = "image";

  // image_encoder: image -> the outputs below, each with the batch axis first

  /** (B, bias_size): b_v of the full-image generator; also a decoder input. */
  public static final String IMAGE_BIAS = "image_bias";

  /** (B, count, 4): the regions' boxes, normalised xyxy of the upright image. */
  public static final String REGION_BOXES = "region_boxes";

  /** (B, count): detection scores; filler slots 0, the whole image 1. */
  public static final String REGION_SCORES = "region_scores";

  /** (B, count, embedding_size) from image_encoder, (N, embedding_size) from box_encoder. */
  public static final String REGION_EMBEDDINGS = "region_embeddings";

  /** (B, count, region bias_size) / (N, region bias_size): absent without a region decoder. */
  public static final String REGION_BIAS = "region_bias";

  /** (B, C, G, G): the detector trunk's map; box_encoder's input with B = 1. */
  public static final String FEATURE_MAP = "feature_map";

  // box_encoder: feature_map (1, C, G, G), boxes (N, 4) normalised xyxy -> region_* (N, ...)
  public static final String BOXES = "boxes";

  // sentence_encoder: tokens (B, L) int64, lengths (B) int64 -> word_vectors (B, L, E)
  public static final String TOKENS = "tokens";
  public static final String LENGTHS = "lengths";
  public static final String WORD_VECTORS = "word_vectors";

  // decoder / region_decoder: token (B) int64, image_bias (B, bias), <state> (B, hidden)
  //   -> log_probs (B, V), <state>_out (B, hidden)
  public static final String TOKEN = "token";
  public static final String LOG_PROBS = "log_probs";

  /** State {@code x} is fed as input {@code x} and read back from output {@code x + "_out"}. */
  public static String stateOutput(String state) {
    return state + "_out";
  }

  private GraphNames() {}
}
