package io.aligncap.inference;

import static io.aligncap.AligncapException.Kind.INFERENCE;
import static io.aligncap.model.GraphNames.*;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.aligncap.AligncapException;
import io.aligncap.config.AligncapConfig;
import io.aligncap.image.DecodedImage;
import io.aligncap.model.Graph;
import io.aligncap.model.Manifest;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
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

  /**
   * Decoded images larger than this are fed to {@code preprocess} from the heap (ONNX Runtime then
   * copies them) rather than kept in a pooled native buffer: the pool keeps what it grew to.
   */
  static final int MAX_POOLED_PIXELS_BYTES = 8 << 20;

  private final OnnxModel model;
  private final int side;
  private final int count;
  private final int embedding;
  private final int regionBiasSize;
  private final int maxBatch;
  private final Scratch<ByteBuffer[]> pixels = new Scratch<>(() -> new ByteBuffer[1]);
  private final Scratch<ByteBuffer[]> batches;
  private final Batcher<byte[], Features> batcher;

  /** Without batching across requests. */
  ImageEncoder(OnnxModel model) {
    this(model, null);
  }

  /**
   * @param batching with it enabled, {@link #encodeOne} groups concurrent requests' images into
   *     runs of at most {@code max-images} (and at most the manifest's batch axis)
   */
  ImageEncoder(OnnxModel model, AligncapConfig.Batching batching) {
    this.model = model;
    Manifest m = model.modelPackage().manifest();
    this.side = m.image().inputSize();
    this.count = m.regions().count();
    this.embedding = m.alignment().embeddingSize();
    this.regionBiasSize = m.regionCaptions() ? m.regionDecoder().biasSize() : 0;
    this.maxBatch = m.maxImageBatch();
    this.batches = new Scratch<>(() -> new ByteBuffer[1 + outputNames().size()]);
    this.batcher =
        batching != null && batching.enabled()
            ? new Batcher<>(
                Math.max(1, Math.min(batching.maxImages(), maxBatch)),
                batching.maxWait(),
                input -> 1,
                this::encode)
            : null;
  }

  /** Preprocessing and the image encoder for one image. */
  Features encode(DecodedImage image) {
    return encode(List.of(modelInput(image))).get(0);
  }

  /**
   * The image encoder for one request's model input: grouped with concurrent requests' when
   * batching is on, alone otherwise.
   */
  Features encodeOne(byte[] input) {
    return batcher != null ? batcher.submit(input) : encode(List.of(input)).get(0);
  }

  /** Runs and images so far ({@code [0, 0]} without batching), for the benchmark. */
  long[] batchCounts() {
    return batcher == null ? new long[2] : batcher.counts();
  }

  /**
   * Rule 5: the {@code preprocess} graph on the pixels of rules 1–4, fed as uint8 NHWC with batch 1
   * (images differ in size, so they are not batched here).
   *
   * @return the model input, {@code S·S·3} bytes HWC
   */
  byte[] modelInput(DecodedImage image) {
    long[] shape = {1, image.height(), image.width(), 3};
    byte[] rgb = image.rgb();
    ByteBuffer[] pooled = rgb.length <= MAX_POOLED_PIXELS_BYTES ? pixels.take() : null;
    try {
      ByteBuffer data = ByteBuffer.wrap(rgb);
      if (pooled != null) {
        pooled[0] = Scratch.atLeast(pooled[0], rgb.length);
        data = Scratch.head(pooled[0], rgb.length).put(rgb).flip();
      }
      try (OnnxTensor in = OnnxTensor.createTensor(model.env(), data, shape, OnnxJavaType.UINT8);
          OrtSession.Result r = model.session(Graph.PREPROCESS).run(Map.of(PIXELS, in))) {
        return Tensors.bytes(r, IMAGE);
      }
    } catch (OrtException e) {
      throw new AligncapException(INFERENCE, Graph.PREPROCESS + " failed: " + e.getMessage(), e);
    } finally {
      if (pooled != null) {
        pixels.give(pooled);
      }
    }
  }

  /**
   * The image encoder on model inputs, in runs of at most the batch its input allows ({@link
   * Manifest#maxImageBatch}: dynamic for the scene detector, 1 for the pretrained torchvision front
   * end). {@link #encodeOne} groups concurrent requests' images through it (issue 12).
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

  /** The outputs read back: every output but {@code region_bias} without a region decoder. */
  private List<String> outputNames() {
    List<String> names =
        new ArrayList<>(
            List.of(IMAGE_BIAS, REGION_BOXES, REGION_SCORES, REGION_EMBEDDINGS, FEATURE_MAP));
    if (regionBiasSize > 0) {
      names.add(REGION_BIAS);
    }
    return names;
  }

  /**
   * One run of the image encoder: the inputs stacked into a pooled native buffer, the outputs
   * written by ONNX Runtime into pooled native buffers (pinned outputs: no tensor is allocated per
   * run), then copied into each image's {@link Features}.
   */
  private List<Features> run(List<byte[]> batch) {
    int b = batch.size();
    int size = side * side * 3;
    Manifest.GraphSpec spec = model.modelPackage().manifest().graph(Graph.IMAGE_ENCODER);
    List<String> names = outputNames();
    ByteBuffer[] buffers = batches.take();
    List<OnnxTensor> open = new ArrayList<>();
    try {
      buffers[0] = Scratch.atLeast(buffers[0], (long) b * size);
      ByteBuffer flat = Scratch.head(buffers[0], (long) b * size);
      for (byte[] input : batch) {
        flat.put(input);
      }
      OnnxTensor image = uint8(flat.flip(), new long[] {b, side, side, 3});
      open.add(image);
      Map<String, OnnxTensor> outputs = new HashMap<>();
      Map<String, FloatBuffer> out = new HashMap<>();
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i);
        long[] shape = dims(spec, name);
        shape[0] = b;
        long n = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        buffers[1 + i] = Scratch.atLeast(buffers[1 + i], 4 * n);
        FloatBuffer data = Scratch.head(buffers[1 + i], 4 * n).asFloatBuffer();
        OnnxTensor t = OnnxTensor.createTensor(model.env(), data, shape);
        open.add(t);
        outputs.put(name, t);
        out.put(name, data);
      }
      try (OrtSession.Result r =
          model.session(Graph.IMAGE_ENCODER).run(Map.of(IMAGE, image), outputs)) {
        // written into our buffers (pinned outputs)
      }
      long[] mapShape = dims(spec, FEATURE_MAP); // (B, C, G, G)
      int mapSize = (int) (mapShape[1] * mapShape[2] * mapShape[3]);
      int biasSize = (int) dims(spec, IMAGE_BIAS)[1];
      List<Features> features = new ArrayList<>(b);
      for (int i = 0; i < b; i++) {
        features.add(
            new Features(
                floats(out.get(IMAGE_BIAS), i * biasSize, biasSize),
                rows(out.get(REGION_BOXES), i * count * 4, count, 4),
                floats(out.get(REGION_SCORES), i * count, count),
                rows(out.get(REGION_EMBEDDINGS), i * count * embedding, count, embedding),
                regionBiasSize == 0
                    ? null
                    : rows(out.get(REGION_BIAS), i * count * regionBiasSize, count, regionBiasSize),
                floats(out.get(FEATURE_MAP), i * mapSize, mapSize),
                new long[] {1, mapShape[1], mapShape[2], mapShape[3]}));
      }
      return features;
    } catch (OrtException e) {
      throw new AligncapException(INFERENCE, Graph.IMAGE_ENCODER + " failed: " + e.getMessage(), e);
    } finally {
      open.forEach(OnnxTensor::close);
      batches.give(buffers);
    }
  }

  /** An output's dimensions as the manifest declares them (checked against the session). */
  private static long[] dims(Manifest.GraphSpec spec, String output) {
    return spec.outputs().stream()
        .filter(t -> t.name().equals(output))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("image_encoder declares no output " + output))
        .dims();
  }

  private static float[] floats(FloatBuffer from, int offset, int n) {
    float[] out = new float[n];
    from.get(offset, out);
    return out;
  }

  private static float[][] rows(FloatBuffer from, int offset, int rows, int width) {
    float[][] out = new float[rows][width];
    for (int r = 0; r < rows; r++) {
      from.get(offset + r * width, out[r]);
    }
    return out;
  }

  private OnnxTensor uint8(ByteBuffer data, long[] shape) throws OrtException {
    return OnnxTensor.createTensor(model.env(), data, shape, OnnxJavaType.UINT8);
  }
}
