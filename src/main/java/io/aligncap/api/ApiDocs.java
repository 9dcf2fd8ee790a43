package io.aligncap.api;

/** OpenAPI descriptions and examples, kept out of the resources so those stay short. */
final class ApiDocs {

  /**
   * Each endpoint's request shapes are separate operations (issue 15), so that a generated client
   * has one typed function each and query options never seem to apply to JSON: the JSON body at the
   * endpoint's path, the multipart form at {@code <path>/form}, the image itself with the options
   * in the query at {@code <path>/image}. (The bare path still takes a form or an image,
   * undocumented, as it did before the split.)
   */
  static final String FORM = "form";

  static final String IMAGE = "image";

  /** The image types the service decodes, as a body or a part: JPEG, PNG, WebP, GIF, BMP. */
  static final String[] IMAGE_TYPES = {
    "image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp", "application/octet-stream"
  };

  static final String IMAGE_PART =
      "The image file (JPEG, PNG, WebP, GIF or BMP; its format is read from its bytes)";

  static final String REGION_TEXT =
      "A box to caption, x0,y0,x1,y1 in pixels of the upright image (e.g. 10,10,120,90);"
          + " repeat for more";

  static final String DENSE =
      "true: also caption every detected region (dense_captions), when the model has a region"
          + " decoder";

  static final String BETA =
      "MRF smoothing β (paper §3.1.4): higher gives longer snippets; default the model's";

  static final String CAPTION =
      "Decodes the image (JPEG incl. CMYK, PNG, GIF first frame, BMP, WebP; EXIF orientation"
          + " applied) and captions it by beam search (beam_size 1 = greedy). Returns the n-best"
          + " captions with log-probabilities, the best caption's MRF snippets with the detected"
          + " region's box and score, greedy captions of the requested boxes (`regions`), with"
          + " `dense=true` the dense captions (every detection at least the model's"
          + " score_threshold sure, best first, with its box, score and caption), the model, the"
          + " execution provider and per-stage timings. Boxes are pixels of the upright image:"
          + " [x0, y0, x1, y1]. A model without a region decoder (GET /v1/models says so in"
          + " `capabilities`) refuses `regions` (422) and leaves `dense_captions` out.";

  static final String ALIGN =
      "Scores the sentence against the image (S_kl = Σ_t max_i v_i·s_t, paper eq. 8), gives each"
          + " word its best region (a detection or the whole image) with the region's box and"
          + " detection score and the word's strength (max_i v_i·s_t), and the snippets of the"
          + " MRF-smoothed assignment (paper §3.1.4) with the smoothing `beta` (default the"
          + " model's), which the response echoes.";

  static final String RANK =
      "Scores every candidate sentence against the image by S_kl and returns them best first"
          + " (ties keep request order).";

  static final String CAPTION_EXAMPLE =
      """
      {"model_id": "scenes-v2", "model_version": "2.0.0", "provider": "cpu",
       "image_width": 640, "image_height": 480,
       "captions": [{"words": ["a", "dog", "on", "the", "grass"], "text": "a dog on the grass",
                     "tokens": [4, 17, 9, 5, 31, 2], "log_prob": -3.21, "score": -3.21}],
       "snippets": [{"start": 0, "end": 2, "words": ["a", "dog"], "text": "a dog", "region": 0,
                     "box": [240.0, 180.0, 320.0, 240.0], "score": 0.97},
                    {"start": 2, "end": 5, "words": ["on", "the", "grass"],
                     "text": "on the grass", "region": 19, "box": [0.0, 0.0, 640.0, 480.0],
                     "score": 1.0}],
       "regions": [{"box": [10.0, 10.0, 120.0, 90.0],
                    "caption": {"words": ["a", "tree"], "text": "a tree", "tokens": [4, 40, 2],
                                "log_prob": -1.2, "score": -1.2}}],
       "dense_captions": [{"box": [240.0, 180.0, 320.0, 240.0], "score": 0.97,
                           "caption": {"words": ["a", "big", "dog"], "text": "a big dog",
                                       "tokens": [4, 32, 17, 2], "log_prob": -0.9,
                                       "score": -0.9}}],
       "timings_ms": {"decode": 3.1, "preprocess": 0.4, "image_encoder": 12.4, "decoder": 8.0,
                      "sentence_encoder": 0.6, "alignment": 0.3, "box_encoder": 0.8,
                      "region_decoder": 2.2}}
      """;

  static final String ALIGN_EXAMPLE =
      """
      {"model_id": "scenes-v2", "model_version": "2.0.0", "provider": "cpu",
       "image_width": 640, "image_height": 480, "sentence": "a dog on the grass", "score": 41.2,
       "beta": 1.5,
       "words": [{"word": "a", "token": 4, "region": 19, "box": [0.0, 0.0, 640.0, 480.0],
                  "score": 1.0, "strength": 6.1},
                 {"word": "dog", "token": 17, "region": 0, "box": [240.0, 180.0, 320.0, 240.0],
                  "score": 0.97, "strength": 11.8}],
       "snippets": [{"start": 0, "end": 2, "words": ["a", "dog"], "text": "a dog", "region": 0,
                     "box": [240.0, 180.0, 320.0, 240.0], "score": 0.97}],
       "timings_ms": {"decode": 3.0, "preprocess": 0.4, "image_encoder": 12.0,
                      "sentence_encoder": 1.0, "alignment": 0.2}}
      """;

  static final String RANK_EXAMPLE =
      """
      {"model_id": "scenes-v2", "model_version": "2.0.0", "provider": "cpu",
       "rankings": [{"index": 1, "sentence": "a dog on the grass", "score": 41.2},
                    {"index": 0, "sentence": "a red car", "score": 12.5}],
       "timings_ms": {"decode": 3.0, "image_encoder": 12.0, "sentence_encoder": 1.5, "alignment": 0.3}}
      """;

  private ApiDocs() {}
}
