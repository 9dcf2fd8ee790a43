package io.aligncap.inference;

/**
 * The region generator's bias for an arbitrary box (models/FORMAT.md "Region captions for a box"):
 * the mean of the grid cells' {@code region_bias} rows whose centres lie inside the box (edges
 * included); if none does, the row of the cell that contains the box's centre, cells being
 * half-open {@code [x0, x1) × [y0, y1)} so that a centre on a shared edge belongs to the cell right
 * of / below it (as the reference's {@code int(c * grid)}). Boxes are normalised xyxy. Pure.
 */
public final class RegionPooling {

  private RegionPooling() {}

  /**
   * @param regionBias {@code [count][bias]} one row per region
   * @param regionBoxes {@code [count][4]} normalised xyxy of each region
   * @param wholeImageIndex the region that is the whole image (not a grid cell)
   * @param box normalised xyxy
   * @return {@code [bias]}
   */
  public static float[] pool(
      float[][] regionBias, float[][] regionBoxes, int wholeImageIndex, double[] box) {
    int width = regionBias[0].length;
    double[] sum = new double[width];
    int n = 0;
    for (int i = 0; i < regionBoxes.length; i++) {
      if (i == wholeImageIndex) {
        continue;
      }
      float[] c = regionBoxes[i];
      double cx = (c[0] + c[2]) / 2.0;
      double cy = (c[1] + c[3]) / 2.0;
      if (cx >= box[0] && cx <= box[2] && cy >= box[1] && cy <= box[3]) {
        for (int e = 0; e < width; e++) {
          sum[e] += regionBias[i][e];
        }
        n++;
      }
    }
    if (n == 0) {
      return regionBias[containing(regionBoxes, wholeImageIndex, box)].clone();
    }
    float[] mean = new float[width];
    for (int e = 0; e < width; e++) {
      mean[e] = (float) (sum[e] / n);
    }
    return mean;
  }

  /**
   * The grid cell containing the box's centre (half-open cells); the nearest cell centre if none
   * contains it (a centre on the image's right or bottom edge).
   */
  static int containing(float[][] regionBoxes, int wholeImageIndex, double[] box) {
    double px = (box[0] + box[2]) / 2.0;
    double py = (box[1] + box[3]) / 2.0;
    int nearest = -1;
    double nearestDistance = Double.POSITIVE_INFINITY;
    for (int i = 0; i < regionBoxes.length; i++) {
      if (i == wholeImageIndex) {
        continue;
      }
      float[] c = regionBoxes[i];
      if (px >= c[0] && px < c[2] && py >= c[1] && py < c[3]) {
        return i;
      }
      double dx = (c[0] + c[2]) / 2.0 - px;
      double dy = (c[1] + c[3]) / 2.0 - py;
      double d = dx * dx + dy * dy;
      if (d < nearestDistance) {
        nearestDistance = d;
        nearest = i;
      }
    }
    return nearest;
  }
}
