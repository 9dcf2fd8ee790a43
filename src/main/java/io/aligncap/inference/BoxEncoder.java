package io.aligncap.inference;

import static io.aligncap.AligncapException.Kind.INFERENCE;
import static io.aligncap.model.GraphNames.*;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.aligncap.AligncapException;
import io.aligncap.model.Graph;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs {@code box_encoder} (models/FORMAT.md "Box encoder"): one image's feature map and boxes a
 * client names go through the same RoI head as the detections; the region generator's b_v of each
 * box comes back, for its region caption.
 */
final class BoxEncoder {

  private final OnnxModel model;
  private final int regionBiasSize;

  /** Only for a package with a region decoder (a box's b_v is of no use without one). */
  BoxEncoder(OnnxModel model) {
    this.model = model;
    this.regionBiasSize = model.modelPackage().manifest().regionDecoder().biasSize();
  }

  /**
   * @param boxes normalised xyxy, at least one
   * @return {@code [boxes][region bias]} the region generator's b_v of each box
   */
  float[][] regionBias(ImageEncoder.Features f, List<double[]> boxes) {
    int n = boxes.size();
    float[] flat = new float[n * 4];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 4; c++) {
        flat[i * 4 + c] = (float) boxes.get(i)[c];
      }
    }
    try (OnnxTensor map =
            OnnxTensor.createTensor(
                model.env(), FloatBuffer.wrap(f.featureMap()), f.featureShape());
        OnnxTensor boxTensor =
            OnnxTensor.createTensor(model.env(), FloatBuffer.wrap(flat), new long[] {n, 4});
        OrtSession.Result r =
            model
                .session(Graph.BOX_ENCODER)
                .run(Map.of(FEATURE_MAP, map, BOXES, boxTensor), Set.of(REGION_BIAS))) {
      return Tensors.rows(Tensors.floats(r, REGION_BIAS), 0, n, regionBiasSize);
    } catch (OrtException e) {
      throw new AligncapException(INFERENCE, Graph.BOX_ENCODER + " failed: " + e.getMessage(), e);
    }
  }
}
