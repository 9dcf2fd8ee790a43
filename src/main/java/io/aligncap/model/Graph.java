package io.aligncap.model;

/**
 * The graphs of a model package by their key in the manifest's {@code graphs} (models/FORMAT.md
 * "Files"); the key also names the graph's stage in timings and messages. The tensors inside each
 * graph are named in {@link GraphNames}.
 */
public enum Graph {
  /** RGB pixels → the image bias b_v and the region embeddings, biases and boxes. */
  IMAGE_ENCODER("image_encoder"),
  /** Token ids → word vectors s_t (the BRNN of paper §3.1.2). */
  SENTENCE_ENCODER("sentence_encoder"),
  /** One step of the full-image generator (paper §3.2). */
  DECODER("decoder"),
  /** One step of the region generator. */
  REGION_DECODER("region_decoder");

  /** The key in {@code manifest.json}'s {@code graphs}. */
  public final String key;

  Graph(String key) {
    this.key = key;
  }

  @Override
  public String toString() {
    return key;
  }
}
