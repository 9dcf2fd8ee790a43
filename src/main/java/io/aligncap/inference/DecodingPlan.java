package io.aligncap.inference;

import static io.aligncap.AligncapException.Kind.INVALID_OPTIONS;

import io.aligncap.AligncapException;
import io.aligncap.config.AligncapConfig;
import io.aligncap.image.DecodedImage;
import io.aligncap.model.Manifest;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link CaptionOptions} with defaults filled in from configuration and every value checked; boxes
 * clipped to the image.
 *
 * @param boxes requested boxes in pixels of the upright image
 * @param dense whether to return dense captions (only when the model has a region decoder: a page
 *     may always ask, so a model without one answers without them rather than with an error)
 */
record DecodingPlan(
    int beamSize, int maxLength, double alpha, int results, List<double[]> boxes, boolean dense) {

  static DecodingPlan of(
      CaptionOptions o, AligncapConfig.Decoding config, Manifest manifest, DecodedImage image) {
    int beam = o.beamSize() != null ? o.beamSize() : config.defaultBeamSize();
    require(
        beam >= 1 && beam <= config.maxBeamSize(),
        "beam_size must be between 1 and " + config.maxBeamSize() + ", is " + beam);
    int maxLength =
        o.maxLength() != null
            ? o.maxLength()
            : config.defaultMaxLength().orElse(manifest.decoder().maxLength());
    require(
        maxLength >= 1 && maxLength <= config.maxMaxLength(),
        "max_length must be between 1 and " + config.maxMaxLength() + ", is " + maxLength);
    double alpha =
        o.lengthNormalization() != null
            ? o.lengthNormalization()
            : config.defaultLengthNormalization();
    double maxAlpha = config.maxLengthNormalization();
    require(
        alpha >= 0 && alpha <= maxAlpha,
        "length_normalization must be between 0 and " + maxAlpha + ", is " + alpha);
    int results = o.results() != null ? o.results() : Math.min(config.defaultResults(), beam);
    require(
        results >= 1 && results <= beam,
        "results must be between 1 and beam_size (" + beam + "), is " + results);
    List<double[]> regions = o.regions() == null ? List.of() : o.regions();
    require(
        regions.isEmpty() || manifest.regionCaptions(),
        "this model has no region decoder (its package has no region_decoder graph), so it cannot"
            + " caption regions; leave out \"regions\"");
    require(
        regions.size() <= config.maxRegions(),
        "at most " + config.maxRegions() + " regions per request, got " + regions.size());
    List<double[]> boxes = new ArrayList<>();
    for (int i = 0; i < regions.size(); i++) {
      boxes.add(clip(regions.get(i), i, image));
    }
    boolean dense = Boolean.TRUE.equals(o.dense()) && manifest.regionCaptions();
    return new DecodingPlan(beam, maxLength, alpha, results, List.copyOf(boxes), dense);
  }

  /** A box {@code [x0, y0, x1, y1]} in pixels, clipped to the image; empty boxes are refused. */
  private static double[] clip(double[] box, int index, DecodedImage image) {
    String name = "regions[" + index + "]";
    require(box != null && box.length == 4, name + " must be [x0, y0, x1, y1] in pixels");
    for (double v : box) {
      require(Double.isFinite(v), name + " has a value that is not a finite number");
    }
    double[] c = {
      Math.max(0, box[0]), Math.max(0, box[1]),
      Math.min(image.sourceWidth(), box[2]), Math.min(image.sourceHeight(), box[3])
    };
    require(
        c[2] > c[0] && c[3] > c[1],
        name
            + " must satisfy x0 < x1 and y0 < y1 inside the "
            + image.sourceWidth()
            + "x"
            + image.sourceHeight()
            + " image");
    return c;
  }

  private static void require(boolean ok, String problem) {
    if (!ok) {
      throw new AligncapException(INVALID_OPTIONS, problem);
    }
  }
}
