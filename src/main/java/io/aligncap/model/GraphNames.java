package io.aligncap.model;

/**
 * The tensor names models/FORMAT.md fixes for each graph. The manifest must declare them (checked
 * by {@link ManifestCheck}); their shapes and dtypes are read from the manifest and checked against
 * the sessions ({@link GraphContract}).
 */
public final class GraphNames {

  // image_encoder: pixels (B, H, W, 3) uint8 -> ...
  public static final String PIXELS = "pixels";

  /** (B, bias_size): b_v of the full-image generator; also a decoder input. */
  public static final String IMAGE_BIAS = "image_bias";

  /** (B, count, embedding_size): v_i of paper §3.1.1. */
  public static final String REGION_EMBEDDINGS = "region_embeddings";

  /** (B, count, region bias_size): the region generator's b_v per region. */
  public static final String REGION_BIAS = "region_bias";

  /** (count, 4): normalised xyxy. */
  public static final String REGION_BOXES = "region_boxes";

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
