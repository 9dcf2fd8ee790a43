package io.aligncap.inference;

import static io.aligncap.AligncapException.Kind.INVALID_OPTIONS;

import io.aligncap.AligncapException;
import io.aligncap.config.AligncapConfig;
import io.aligncap.image.DecodedImage;
import io.aligncap.model.Manifest;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link CaptionOptions} with defaults filled in from configuration and every value checked;
 * boxes clipped to the image.
 */
record DecodingPlan(int beamSize, int maxLength, double alpha, int results, List<double[]> boxes) {

  static DecodingPlan of(
      CaptionOptions o, AligncapConfig.Decoding config, Manifest manifest, DecodedImage image) {
    int beam = o.beamSize() != null ? o.beamSize() : config.defaultBeamSize();
    if (beam < 1 || beam > config.maxBeamSize()) {
      throw new AligncapException(INVALID_OPTIONS, "beam_size must be between 1 and " + config.maxBeamSize() + ", is " + beam);
    }
    int maxLength =
        o.maxLength() != null
            ? o.maxLength()
            : config.defaultMaxLength().orElse(manifest.decoder().maxLength());
    if (maxLength < 1 || maxLength > config.maxMaxLength()) {
      throw new AligncapException(INVALID_OPTIONS, "max_length must be between 1 and " + config.maxMaxLength() + ", is " + maxLength);
    }
    double alpha =
        o.lengthNormalization() != null ? o.lengthNormalization() : config.defaultLengthNormalization();
    if (!(alpha >= 0 && alpha <= config.maxLengthNormalization())) {
      throw new AligncapException(INVALID_OPTIONS, "length_normalization must be between 0 and " + config.maxLengthNormalization() + ", is " + alpha);
    }
    int results = o.results() != null ? o.results() : Math.min(config.defaultResults(), beam);
    if (results < 1 || results > beam) {
      throw new AligncapException(INVALID_OPTIONS, "results must be between 1 and beam_size (" + beam + "), is " + results);
    }
    List<double[]> regions = o.regions() == null ? List.of() : o.regions();
    if (regions.size() > config.maxRegions()) {
      throw new AligncapException(INVALID_OPTIONS, "at most " + config.maxRegions() + " regions per request, got " + regions.size());
    }
    List<double[]> boxes = new ArrayList<>();
    for (int i = 0; i < regions.size(); i++) {
      boxes.add(clip(regions.get(i), i, image));
    }
    return new DecodingPlan(beam, maxLength, alpha, results, List.copyOf(boxes));
  }

  /** A box {@code [x0, y0, x1, y1]} in pixels, clipped to the image; empty boxes are refused. */
  private static double[] clip(double[] box, int index, DecodedImage image) {
    String name = "regions[" + index + "]";
    if (box == null || box.length != 4) {
      throw new AligncapException(INVALID_OPTIONS, name + " must be [x0, y0, x1, y1] in pixels");
    }
    for (double v : box) {
      if (!Double.isFinite(v)) {
        throw new AligncapException(INVALID_OPTIONS, name + " has a value that is not a finite number");
      }
    }
    double[] c = {
      Math.max(0, box[0]), Math.max(0, box[1]),
      Math.min(image.sourceWidth(), box[2]), Math.min(image.sourceHeight(), box[3])
    };
    if (!(c[2] > c[0] && c[3] > c[1])) {
      throw new AligncapException(INVALID_OPTIONS, name + " must satisfy x0 < x1 and y0 < y1 inside the " + image.sourceWidth() + "x"
              + image.sourceHeight() + " image");
    }
    return c;
  }
}
