package io.aligncap.inference;

import static io.aligncap.AligncapException.Kind.INFERENCE;
import static io.aligncap.model.GraphNames.*;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.aligncap.AligncapException;
import io.aligncap.image.DecodedImage;
import io.aligncap.model.Graph;
import io.aligncap.model.Manifest;
import java.nio.ByteBuffer;
import java.util.Map;

/** Runs {@code image_encoder}: RGB pixels (1, H, W, 3) uint8 → the image's features. */
final class ImageEncoder {

  /**
   * What the generators and the alignment need from one image.
   *
   * @param imageBias {@code [bias]} b_v of the full-image generator
   * @param regionEmbeddings {@code [count][embedding]} v_i
   * @param regionBias {@code [count][region bias]} b_v of the region generator per region
   * @param regionBoxes {@code [count][4]} normalised xyxy
   */
  record Features(
      float[] imageBias, float[][] regionEmbeddings, float[][] regionBias, float[][] regionBoxes) {}

  private final OnnxModel model;
  private final int count;
  private final int embedding;
  private final int regionBiasSize;

  ImageEncoder(OnnxModel model) {
    this.model = model;
    Manifest m = model.modelPackage().manifest();
    this.count = m.regions().count();
    this.embedding = m.alignment().embeddingSize();
    this.regionBiasSize = m.regionDecoder().biasSize();
  }

  Features encode(DecodedImage image) {
    long[] shape = {1, image.height(), image.width(), 3};
    try (OnnxTensor pixels =
            OnnxTensor.createTensor(
                model.env(), ByteBuffer.wrap(image.rgb()), shape, OnnxJavaType.UINT8);
        OrtSession.Result r = model.session(Graph.IMAGE_ENCODER).run(Map.of(PIXELS, pixels))) {
      return new Features(
          Tensors.floats(r, IMAGE_BIAS),
          Tensors.rows(Tensors.floats(r, REGION_EMBEDDINGS), 0, count, embedding),
          Tensors.rows(Tensors.floats(r, REGION_BIAS), 0, count, regionBiasSize),
          Tensors.rows(Tensors.floats(r, REGION_BOXES), 0, count, 4));
    } catch (OrtException e) {
      throw new AligncapException(INFERENCE, Graph.IMAGE_ENCODER + " failed: " + e.getMessage(), e);
    }
  }
}
