package io.aligncap.inference;

import static io.aligncap.AligncapException.Kind.INFERENCE;
import static io.aligncap.model.GraphNames.*;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.aligncap.AligncapException;
import io.aligncap.model.Graph;
import io.aligncap.model.Manifest;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One step of {@code decoder} or {@code region_decoder} for a batch of beams, as a {@link
 * BeamSearch.StepFunction}. Step 1 feeds the image's bias b_v; later steps feed zeros (paper §3.2:
 * the image is shown only at the first step). Works for any list of state names.
 */
final class DecoderStep implements BeamSearch.StepFunction {

  private final OnnxModel model;
  private final Graph graph;
  private final List<String> states;
  private final int hidden;
  private final int biasSize;
  private final int vocab;
  private final float[] imageBias;

  /**
   * @param graph {@link Graph#DECODER} or {@link Graph#REGION_DECODER}
   * @param imageBias {@code [bias_size]} for this image (or region)
   */
  DecoderStep(OnnxModel model, Graph graph, Manifest.DecoderSpec spec, float[] imageBias) {
    this.model = model;
    this.graph = graph;
    this.states = spec.stateNames();
    this.hidden = spec.hiddenSize();
    this.biasSize = spec.biasSize();
    this.vocab = model.modelPackage().manifest().vocabulary().size();
    this.imageBias = imageBias;
  }

  @Override
  public float[][][] initialState() {
    return new float[states.size()][1][hidden];
  }

  @Override
  public BeamSearch.Step step(int[] tokens, float[][][] stateRows, boolean first) {
    int batch = tokens.length;
    long[] tokenIds = new long[batch];
    for (int b = 0; b < batch; b++) {
      tokenIds[b] = tokens[b];
    }
    float[] bias = new float[batch * biasSize];
    if (first) {
      for (int b = 0; b < batch; b++) {
        System.arraycopy(imageBias, 0, bias, b * biasSize, biasSize);
      }
    }
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put(
          TOKEN,
          OnnxTensor.createTensor(model.env(), LongBuffer.wrap(tokenIds), new long[] {batch}));
      inputs.put(
          IMAGE_BIAS,
          OnnxTensor.createTensor(
              model.env(), FloatBuffer.wrap(bias), new long[] {batch, biasSize}));
      for (int s = 0; s < states.size(); s++) {
        inputs.put(
            states.get(s),
            OnnxTensor.createTensor(
                model.env(),
                FloatBuffer.wrap(Tensors.flat(stateRows[s], hidden)),
                new long[] {batch, hidden}));
      }
      try (OrtSession.Result r = model.session(graph).run(inputs)) {
        float[][] logProbs = Tensors.rows(Tensors.floats(r, LOG_PROBS), 0, batch, vocab);
        float[][][] next = new float[states.size()][][];
        for (int s = 0; s < states.size(); s++) {
          next[s] = Tensors.rows(Tensors.floats(r, stateOutput(states.get(s))), 0, batch, hidden);
        }
        return new BeamSearch.Step(logProbs, next);
      }
    } catch (OrtException e) {
      throw new AligncapException(INFERENCE, graph + " failed: " + e.getMessage(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }
}
