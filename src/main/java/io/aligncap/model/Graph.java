package io.aligncap.model;

/**
 * The graphs of a model package by their key in the manifest's {@code graphs} (models/FORMAT.md
 * "Files"); the key also names the graph's stage in timings and messages. The tensors inside each
 * graph are named in {@link GraphNames}.
 */
public enum Graph {
  /** Decoded pixels of any size → the model input, S × S (preprocessing rule 5). */
  PREPROCESS("preprocess", true),
  /** The model input → detections, region vectors, the image bias b_v and the feature map. */
  IMAGE_ENCODER("image_encoder", true),
  /** Feature map + boxes a client names → region vectors of those boxes. */
  BOX_ENCODER("box_encoder", true),
  /** Token ids → word vectors s_t (the BRNN of paper §3.1.2). */
  SENTENCE_ENCODER("sentence_encoder", true),
  /** One step of the full-image generator (paper §3.2). */
  DECODER("decoder", true),
  /** One step of the region generator (paper §3.3); optional: without it, no region captions. */
  REGION_DECODER("region_decoder", false);

  /** The key in {@code manifest.json}'s {@code graphs}. */
  public final String key;

  /** Whether every package has it. */
  public final boolean required;

  Graph(String key, boolean required) {
    this.key = key;
    this.required = required;
  }

  @Override
  public String toString() {
    return key;
  }
}
