package io.aligncap.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The model's tokens; a token's id is its index. Pure: no I/O. Built from the package's {@code
 * vocab.json} and the special ids of its manifest.
 */
public final class Vocabulary {

  private final List<String> tokens;
  private final Map<String, Integer> ids;
  private final int padId;
  private final int startId;
  private final int endId;
  private final int unkId;

  /**
   * @throws IllegalArgumentException when the size or a special id does not fit the tokens, or a
   *     token repeats
   */
  public Vocabulary(List<String> tokens, int size, int padId, int startId, int endId, int unkId) {
    if (tokens.size() != size) {
      throw new IllegalArgumentException(
          "has " + tokens.size() + " tokens, the manifest says vocabulary.size = " + size);
    }
    for (int id : new int[] {padId, startId, endId, unkId}) {
      if (id < 0 || id >= size) {
        throw new IllegalArgumentException("special id " + id + " is outside [0, " + size + ")");
      }
    }
    if (padId == startId
        || padId == endId
        || padId == unkId
        || startId == endId
        || startId == unkId
        || endId == unkId) {
      throw new IllegalArgumentException("pad, start, end and unk ids must differ");
    }
    this.tokens = List.copyOf(tokens);
    this.ids = new HashMap<>(size * 2);
    for (int i = 0; i < size; i++) {
      if (ids.put(tokens.get(i), i) != null) {
        throw new IllegalArgumentException("token \"" + tokens.get(i) + "\" appears twice");
      }
    }
    this.padId = padId;
    this.startId = startId;
    this.endId = endId;
    this.unkId = unkId;
  }

  public int size() {
    return tokens.size();
  }

  /** The id of {@code token}, or the unknown id when it is not in the vocabulary. */
  public int id(String token) {
    return ids.getOrDefault(token, unkId);
  }

  /** The tokens of {@code ids}, in order. */
  public List<String> words(int[] ids) {
    String[] words = new String[ids.length];
    for (int i = 0; i < ids.length; i++) {
      words[i] = tokens.get(ids[i]);
    }
    return List.of(words);
  }

  public int startId() {
    return startId;
  }

  public int endId() {
    return endId;
  }

  /** Ids a decoder never emits: pad, start and unk (their log-probabilities count as −∞). */
  public int[] neverEmitted() {
    return new int[] {padId, startId, unkId};
  }
}
