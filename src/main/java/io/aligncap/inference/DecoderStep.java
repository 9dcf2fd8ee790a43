package io.aligncap.inference;

import static io.aligncap.AligncapException.Kind.INFERENCE;
import static io.aligncap.model.GraphNames.*;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.aligncap.AligncapException;
import io.aligncap.config.AligncapConfig;
import io.aligncap.model.Graph;
import io.aligncap.model.Manifest;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One step of {@code decoder} or {@code region_decoder} for a batch of beams. {@link #forImage}
 * gives a search its {@link BeamSearch.StepFunction}: step 1 feeds the image's bias b_v, later
 * steps feed zeros (paper §3.2: the image is shown only at the first step). Works for any list of
 * state names.
 *
 * <p>With batching on (issue 12), the steps of concurrent searches are grouped by a {@link Batcher}
 * into one call: their rows are stacked (each keeps its own bias row: b_v on its first step, zeros
 * after), and each search gets its own rows back. A row's result does not depend on the rows beside
 * it (BatchingTest checks that captions are the same token for token). Inputs and outputs live in
 * reused native buffers ({@link Scratch}): no tensor is allocated per step.
 */
final class DecoderStep {

  /** One search's rows for one step: its live beams. */
  record Rows(int[] tokens, float[][][] states, float[] firstBias) {
    int count() {
      return tokens.length;
    }
  }

  private final OnnxModel model;
  private final Graph graph;
  private final List<String> states;
  private final int hidden;
  private final int biasSize;
  private final int vocab;
  private final Scratch<Buffers> scratch;
  private final Batcher<Rows, BeamSearch.Step> batcher;

  /**
   * @param graph {@link Graph#DECODER} or {@link Graph#REGION_DECODER}
   * @param batching its {@code max-beams} and {@code max-wait}; null or disabled: each search calls
   *     the graph on its own
   */
  DecoderStep(
      OnnxModel model, Graph graph, Manifest.DecoderSpec spec, AligncapConfig.Batching batching) {
    this.model = model;
    this.graph = graph;
    this.states = spec.stateNames();
    this.hidden = spec.hiddenSize();
    this.biasSize = spec.biasSize();
    this.vocab = model.modelPackage().manifest().vocabulary().size();
    this.scratch = new Scratch<>(Buffers::new);
    this.batcher =
        batching != null && batching.enabled()
            ? new Batcher<>(batching.maxBeams(), batching.maxWait(), Rows::count, this::run)
            : null;
  }

  /** The step function of one search over an image (or region) with bias b_v. */
  BeamSearch.StepFunction forImage(float[] imageBias) {
    return new BeamSearch.StepFunction() {
      @Override
      public float[][][] initialState() {
        return new float[states.size()][1][hidden];
      }

      @Override
      public BeamSearch.Step step(int[] tokens, float[][][] stateRows, boolean first) {
        Rows rows = new Rows(tokens, stateRows, first ? imageBias : null);
        return batcher != null ? batcher.submit(rows) : run(List.of(rows)).get(0);
      }
    };
  }

  /** Runs and items so far ({@code [0, 0]} without batching), for the benchmark. */
  long[] batchCounts() {
    return batcher == null ? new long[2] : batcher.counts();
  }

  /** One graph call for the stacked rows of every search in {@code batch}. */
  private List<BeamSearch.Step> run(List<Rows> batch) {
    int total = 0;
    for (Rows r : batch) {
      total += r.count();
    }
    Buffers b = scratch.take();
    List<OnnxTensor> tensors = new ArrayList<>();
    try {
      b.ensure(total);
      FloatBuffer bias = Scratch.head(b.bias, 4L * total * biasSize).asFloatBuffer();
      var tokens = Scratch.head(b.token, 8L * total).asLongBuffer();
      FloatBuffer[] in = new FloatBuffer[states.size()];
      for (int s = 0; s < in.length; s++) {
        in[s] = Scratch.head(b.stateIn[s], 4L * total * hidden).asFloatBuffer();
      }
      float[] zeros = b.zeros;
      for (Rows r : batch) {
        for (int i = 0; i < r.count(); i++) {
          tokens.put(r.tokens()[i]);
          bias.put(r.firstBias() != null ? r.firstBias() : zeros, 0, biasSize);
          for (int s = 0; s < in.length; s++) {
            in[s].put(r.states()[s][i], 0, hidden);
          }
        }
      }
      Map<String, OnnxTensor> inputs = new HashMap<>();
      inputs.put(TOKEN, tensor(tensors, tokens.flip(), new long[] {total}));
      inputs.put(IMAGE_BIAS, tensor(tensors, bias.flip(), new long[] {total, biasSize}));
      Map<String, OnnxTensor> outputs = new HashMap<>();
      FloatBuffer logProbs = Scratch.head(b.logProbs, 4L * total * vocab).asFloatBuffer();
      outputs.put(LOG_PROBS, tensor(tensors, logProbs, new long[] {total, vocab}));
      FloatBuffer[] out = new FloatBuffer[states.size()];
      for (int s = 0; s < in.length; s++) {
        inputs.put(states.get(s), tensor(tensors, in[s].flip(), new long[] {total, hidden}));
        out[s] = Scratch.head(b.stateOut[s], 4L * total * hidden).asFloatBuffer();
        outputs.put(
            stateOutput(states.get(s)), tensor(tensors, out[s], new long[] {total, hidden}));
      }
      try (OrtSession.Result r = model.session(graph).run(inputs, outputs)) {
        // the outputs were written into our buffers (pinned); the result owns nothing
      }
      List<BeamSearch.Step> steps = new ArrayList<>(batch.size());
      int row = 0;
      for (Rows r : batch) {
        int n = r.count();
        float[][] lp = new float[n][vocab];
        float[][][] next = new float[states.size()][n][hidden];
        for (int i = 0; i < n; i++, row++) {
          logProbs.get(row * vocab, lp[i]);
          for (int s = 0; s < out.length; s++) {
            out[s].get(row * hidden, next[s][i]);
          }
        }
        steps.add(new BeamSearch.Step(lp, next));
      }
      return steps;
    } catch (OrtException e) {
      throw new AligncapException(INFERENCE, graph + " failed: " + e.getMessage(), e);
    } finally {
      tensors.forEach(OnnxTensor::close);
      scratch.give(b);
    }
  }

  private OnnxTensor tensor(List<OnnxTensor> open, java.nio.Buffer data, long[] shape)
      throws OrtException {
    OnnxTensor t =
        data instanceof FloatBuffer f
            ? OnnxTensor.createTensor(model.env(), f, shape)
            : OnnxTensor.createTensor(model.env(), (java.nio.LongBuffer) data, shape);
    open.add(t);
    return t;
  }

  /** One run's native buffers, grown to the most rows seen. */
  private final class Buffers {
    ByteBuffer token;
    ByteBuffer bias;
    ByteBuffer logProbs;
    final ByteBuffer[] stateIn = new ByteBuffer[states.size()];
    final ByteBuffer[] stateOut = new ByteBuffer[states.size()];
    final float[] zeros = new float[biasSize];

    void ensure(int rows) {
      token = Scratch.atLeast(token, 8L * rows);
      bias = Scratch.atLeast(bias, 4L * rows * biasSize);
      logProbs = Scratch.atLeast(logProbs, 4L * rows * vocab);
      for (int s = 0; s < stateIn.length; s++) {
        stateIn[s] = Scratch.atLeast(stateIn[s], 4L * rows * hidden);
        stateOut[s] = Scratch.atLeast(stateOut[s], 4L * rows * hidden);
      }
    }
  }
}
