package io.aligncap.inference;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The detected regions of one image as the API reports them (models/FORMAT.md "Image encoder" and
 * "Dense captions"): boxes in pixels of the upright image, and which detections are sure enough to
 * be captioned densely. Pure.
 */
final class Regions {

  private Regions() {}

  /**
   * A normalised xyxy box in pixels of a {@code width × height} image (the upright image before
   * subsampling).
   */
  static double[] pixels(float[] box, int width, int height) {
    return new double[] {
      box[0] * (double) width, box[1] * (double) height,
      box[2] * (double) width, box[3] * (double) height
    };
  }

  /** A pixel box of a {@code width × height} image, normalised to [0, 1]. */
  static double[] normalised(double[] box, int width, int height) {
    return new double[] {box[0] / width, box[1] / height, box[2] / width, box[3] / height};
  }

  /**
   * The regions to caption densely: every detection {@code i < detections} (never the whole image,
   * which comes after them) whose score is at least {@code threshold}, best score first, ties by
   * index.
   */
  static List<Integer> dense(float[] scores, int detections, double threshold) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < Math.min(detections, scores.length); i++) {
      if (scores[i] >= threshold) {
        out.add(i);
      }
    }
    out.sort(Comparator.comparingDouble((Integer i) -> -scores[i])); // stable: ties by index
    return out;
  }
}
