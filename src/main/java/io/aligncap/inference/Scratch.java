package io.aligncap.inference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Supplier;

/**
 * Reusable native (direct, native-order) buffers for graph inputs and pinned outputs (issue 12).
 * ONNX Runtime reads a direct buffer in place, where it copies a heap array into a fresh direct
 * buffer on every call; those per-call buffers are freed only when a GC runs, which under load with
 * a large heap is rarely, so they grew the process by hundreds of MB. A run takes a set from its
 * stage's pool and gives it back: with batching one run of a graph happens at a time and the pool
 * holds one set; without, as many as the largest number of concurrent runs so far.
 *
 * @param <T> one run's set of buffers
 */
final class Scratch<T> {

  private final ConcurrentLinkedDeque<T> free = new ConcurrentLinkedDeque<>();
  private final Supplier<T> create;

  Scratch(Supplier<T> create) {
    this.create = create;
  }

  T take() {
    T t = free.pollFirst();
    return t != null ? t : create.get();
  }

  void give(T t) {
    free.addFirst(t);
  }

  /** {@code buffer} if it holds {@code bytes}, else a new direct buffer of at least that many. */
  static ByteBuffer atLeast(ByteBuffer buffer, long bytes) {
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a tensor of " + bytes + " bytes is too large");
    }
    if (buffer != null && buffer.capacity() >= bytes) {
      return buffer;
    }
    int capacity = (int) Math.min(Integer.MAX_VALUE, Math.max(bytes, bytes + bytes / 4));
    return ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
  }

  /** The first {@code bytes} of {@code buffer}, as a new view positioned at 0. */
  static ByteBuffer head(ByteBuffer buffer, long bytes) {
    return buffer.duplicate().order(ByteOrder.nativeOrder()).position(0).limit((int) bytes);
  }
}
