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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code preprocess} (preprocessing rule 5: the decoded pixels, any size → the S × S model
 * input) and {@code image_encoder} (the model input → detections, region vectors, b_v and the
 * feature map), models/FORMAT.md "Image encoder".
 */
final class ImageEncoder {

  /**
   * What the generators, the alignment and the box encoder need from one image.
   *
   * @param imageBias {@code [bias]} b_v of the full-image generator
   * @param regionBoxes {@code [count][4]} normalised xyxy of the upright image: the detections best
   *     first, then the whole image {@code [0, 0, 1, 1]}
   * @param regionScores {@code [count]} detection scores (filler slots 0, the whole image 1)
   * @param regionEmbeddings {@code [count][embedding]} v_i
   * @param regionBias {@code [count][region bias]} the region generator's b_v per region; null
   *     without a region decoder
   * @param featureMap the detector trunk's map, flat {@code C·G·G}, for {@code box_encoder}
   * @param featureShape {@code [1, C, G, G]}
   */
  record Features(
      float[] imageBias,
      float[][] regionBoxes,
      float[] regionScores,
      float[][] regionEmbeddings,
      float[][] regionBias,
      float[] featureMap,
      long[] featureShape) {}

  private final OnnxModel model;
  private final int side;
  private final int count;
  private final int embedding;
  private final int regionBiasSize;
  private final int maxBatch;

  ImageEncoder(OnnxModel model) {
    this.model = model;
    Manifest m = model.modelPackage().manifest();
    this.side = m.image().inputSize();
    this.count = m.regions().count();
    this.embedding = m.alignment().embeddingSize();
    this.regionBiasSize = m.regionCaptions() ? m.regionDecoder().biasSize() : 0;
    this.maxBatch = m.maxImageBatch();
  }

  /** Preprocessing and the image encoder for one image. */
  Features encode(DecodedImage image) {
    return encode(List.of(modelInput(image))).get(0);
  }

  /**
   * Rule 5: the {@code preprocess} graph on the pixels of rules 1–4, fed as uint8 NHWC with batch 1
   * (images differ in size, so they are not batched here).
   *
   * @return the model input, {@code S·S·3} bytes HWC
   */
  byte[] modelInput(DecodedImage image) {
    long[] shape = {1, image.height(), image.width(), 3};
    try (OnnxTensor pixels = uint8(image.rgb(), shape);
        OrtSession.Result r = model.session(Graph.PREPROCESS).run(Map.of(PIXELS, pixels))) {
      return Tensors.bytes(r, IMAGE);
    } catch (OrtException e) {
      throw new AligncapException(INFERENCE, Graph.PREPROCESS + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * The image encoder on model inputs, in runs of at most the batch its input allows ({@link
   * Manifest#maxImageBatch}: dynamic for the scene detector, 1 for the pretrained torchvision front
   * end). The seam for dynamic batching across requests (issue 12): today each request passes one.
   */
  List<Features> encode(List<byte[]> inputs) {
    List<Features> out = new ArrayList<>(inputs.size());
    for (int[] run : runs(inputs.size(), maxBatch)) {
      out.addAll(run(inputs.subList(run[0], run[1])));
    }
    return out;
  }

  /** {@code n} inputs as consecutive runs {@code [from, to)} of at most {@code max} each. */
  static List<int[]> runs(int n, int max) {
    List<int[]> out = new ArrayList<>();
    for (int from = 0; from < n; from += max) {
      out.add(new int[] {from, Math.min(n, from + max)});
    }
    return out;
  }

  private List<Features> run(List<byte[]> batch) {
    int b = batch.size();
    int size = side * side * 3;
    byte[] flat = new byte[b * size];
    for (int i = 0; i < b; i++) {
      System.arraycopy(batch.get(i), 0, flat, i * size, size);
    }
    try (OnnxTensor image = uint8(flat, new long[] {b, side, side, 3});
        OrtSession.Result r = model.session(Graph.IMAGE_ENCODER).run(Map.of(IMAGE, image))) {
      float[] bias = Tensors.floats(r, IMAGE_BIAS);
      float[] boxes = Tensors.floats(r, REGION_BOXES);
      float[] scores = Tensors.floats(r, REGION_SCORES);
      float[] embeddings = Tensors.floats(r, REGION_EMBEDDINGS);
      float[] regionBias = regionBiasSize > 0 ? Tensors.floats(r, REGION_BIAS) : null;
      float[] map = Tensors.floats(r, FEATURE_MAP);
      long[] mapShape = Tensors.shape(r, FEATURE_MAP); // (B, C, G, G)
      int mapSize = map.length / b;
      int biasSize = bias.length / b;
      List<Features> out = new ArrayList<>(b);
      for (int i = 0; i < b; i++) {
        out.add(
            new Features(
                Arrays.copyOfRange(bias, i * biasSize, (i + 1) * biasSize),
                Tensors.rows(boxes, i * count * 4, count, 4),
                Arrays.copyOfRange(scores, i * count, (i + 1) * count),
                Tensors.rows(embeddings, i * count * embedding, count, embedding),
                regionBias == null
                    ? null
                    : Tensors.rows(regionBias, i * count * regionBiasSize, count, regionBiasSize),
                Arrays.copyOfRange(map, i * mapSize, (i + 1) * mapSize),
                new long[] {1, mapShape[1], mapShape[2], mapShape[3]}));
      }
      return out;
    } catch (OrtException e) {
      throw new AligncapException(INFERENCE, Graph.IMAGE_ENCODER + " failed: " + e.getMessage(), e);
    }
  }

  private OnnxTensor uint8(byte[] data, long[] shape) throws OrtException {
    return OnnxTensor.createTensor(model.env(), ByteBuffer.wrap(data), shape, OnnxJavaType.UINT8);
  }
}
