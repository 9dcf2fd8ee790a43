package io.aligncap.inference;

import static io.aligncap.AligncapException.Kind.INFERENCE;
import static io.aligncap.model.GraphNames.*;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.aligncap.AligncapException;
import io.aligncap.model.Graph;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code sentence_encoder} (the BRNN of paper §3.1.2) on a batch of token-id sentences, padded
 * with {@code pad_id} to the longest; rows past a sentence's length are dropped.
 */
final class SentenceEncoder {

  private final OnnxModel model;
  private final int padId;
  private final int embedding;

  SentenceEncoder(OnnxModel model) {
    this.model = model;
    this.padId = model.modelPackage().manifest().vocabulary().padId();
    this.embedding = model.modelPackage().manifest().alignment().embeddingSize();
  }

  /**
   * @param sentences token ids, each of length ≥ 1
   * @return per sentence its word vectors {@code [length][embedding]}
   */
  List<float[][]> encode(List<int[]> sentences) {
    int batch = sentences.size();
    int longest = sentences.stream().mapToInt(s -> s.length).max().orElse(0);
    long[] tokens = new long[batch * longest];
    long[] lengths = new long[batch];
    for (int b = 0; b < batch; b++) {
      int[] s = sentences.get(b);
      lengths[b] = s.length;
      for (int t = 0; t < longest; t++) {
        tokens[b * longest + t] = t < s.length ? s[t] : padId;
      }
    }
    try (OnnxTensor tokenTensor =
            OnnxTensor.createTensor(
                model.env(), LongBuffer.wrap(tokens), new long[] {batch, longest});
        OnnxTensor lengthTensor =
            OnnxTensor.createTensor(model.env(), LongBuffer.wrap(lengths), new long[] {batch});
        OrtSession.Result r =
            model
                .session(Graph.SENTENCE_ENCODER)
                .run(Map.of(TOKENS, tokenTensor, LENGTHS, lengthTensor))) {
      float[] flat = Tensors.floats(r, WORD_VECTORS); // (batch, longest, embedding)
      List<float[][]> out = new ArrayList<>(batch);
      for (int b = 0; b < batch; b++) {
        out.add(Tensors.rows(flat, b * longest * embedding, sentences.get(b).length, embedding));
      }
      return out;
    } catch (OrtException e) {
      throw new AligncapException(
          INFERENCE, Graph.SENTENCE_ENCODER + " failed: " + e.getMessage(), e);
    }
  }
}
