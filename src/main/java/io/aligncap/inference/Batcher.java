package io.aligncap.inference;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Dynamic batching of one graph across concurrent requests (issue 12), leader/follower style: the
 * caller that finds the graph idle runs at once with whatever is queued (so a lone request pays no
 * hand-off and no wait); callers that arrive while a run is in progress queue up, and when the run
 * ends the oldest of them leads the next run, with every item queued by then, up to {@code
 * maxWeight} (images for the image encoder, beam rows for a decoder step). One run at a time, so
 * the runner may own one set of buffers. An item heavier than {@code maxWeight} runs alone.
 *
 * <p>With {@code maxWait} above zero a leader waits up to that long for the batch to fill before it
 * runs: more grouping under moderate load, at that cost in latency. Pure: no ONNX Runtime types.
 *
 * @param <I> what one caller submits
 * @param <O> what it gets back
 */
final class Batcher<I, O> {

  private final int maxWeight;
  private final long maxWaitNanos;
  private final ToIntFunction<I> weight;
  private final Function<List<I>, List<O>> runner;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final ArrayDeque<Pending<I, O>> queue = new ArrayDeque<>();
  private int queuedWeight;
  private boolean busy;

  // what the benchmark reports: runs and items, to show how much grouping happened
  private long runs;
  private long items;

  /**
   * @param maxWeight the most weight one run takes (≥ 1)
   * @param weight an item's weight (≥ 1), e.g. its rows
   * @param runner runs one batch, returning one output per input in order; whatever it throws is
   *     rethrown to every caller of that batch
   */
  Batcher(
      int maxWeight, Duration maxWait, ToIntFunction<I> weight, Function<List<I>, List<O>> runner) {
    if (maxWeight < 1) {
      throw new IllegalArgumentException("maxWeight must be >= 1, is " + maxWeight);
    }
    this.maxWeight = maxWeight;
    this.maxWaitNanos = maxWait.toNanos();
    this.weight = weight;
    this.runner = runner;
  }

  /**
   * Runs {@code input} in the next batch and returns its output.
   *
   * @throws RuntimeException whatever the runner threw for the batch that held this input
   */
  O submit(I input) {
    Pending<I, O> me = new Pending<>(input, Math.max(1, weight.applyAsInt(input)), lock);
    lock.lock();
    try {
      queue.addLast(me);
      queuedWeight += me.weight;
      if (!busy) {
        busy = true;
        me.leader = true;
      } else {
        arrived.signal();
        boolean interrupted = false;
        while (!me.done && !me.leader) {
          try {
            me.wake.await();
          } catch (InterruptedException e) {
            interrupted = true; // a queued item cannot be withdrawn: finish, then re-flag
          }
        }
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    } finally {
      lock.unlock();
    }
    if (me.leader) {
      lead();
    }
    if (me.error != null) {
      throw me.error;
    }
    return me.output;
  }

  /** Runs one batch (which holds the leader's own item: it is at the head), then hands over. */
  private void lead() {
    List<Pending<I, O>> batch = take();
    try {
      List<I> inputs = new ArrayList<>(batch.size());
      for (Pending<I, O> p : batch) {
        inputs.add(p.input);
      }
      List<O> outputs = runner.apply(inputs);
      if (outputs.size() != batch.size()) {
        throw new IllegalStateException(
            "batch runner returned " + outputs.size() + " outputs for " + batch.size() + " inputs");
      }
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).output = outputs.get(i);
      }
    } catch (RuntimeException e) {
      for (Pending<I, O> p : batch) {
        p.error = e;
      }
    } catch (Error e) { // e.g. OutOfMemoryError: the others fail too, the leader rethrows it as is
      for (Pending<I, O> p : batch) {
        p.error = new IllegalStateException("the batch failed: " + e, e);
      }
      throw e;
    } finally {
      handOver(batch);
    }
  }

  /** The queue's head and whatever follows it within {@code maxWeight}, after the optional wait. */
  private List<Pending<I, O>> take() {
    lock.lock();
    try {
      if (maxWaitNanos > 0) {
        long left = maxWaitNanos;
        while (queuedWeight < maxWeight && left > 0) {
          try {
            left = arrived.awaitNanos(left);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
      List<Pending<I, O>> batch = new ArrayList<>();
      int w = 0;
      while (!queue.isEmpty() && (batch.isEmpty() || w + queue.peekFirst().weight <= maxWeight)) {
        Pending<I, O> p = queue.pollFirst();
        w += p.weight;
        batch.add(p);
      }
      queuedWeight -= w;
      runs++;
      items += batch.size();
      return batch;
    } finally {
      lock.unlock();
    }
  }

  private void handOver(List<Pending<I, O>> batch) {
    lock.lock();
    try {
      for (Pending<I, O> p : batch) {
        p.done = true;
        if (!p.leader) {
          p.wake.signal();
        }
      }
      Pending<I, O> next = queue.peekFirst();
      if (next == null) {
        busy = false;
      } else {
        next.leader = true;
        next.wake.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Items waiting for a run (for tests). */
  int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** Runs so far and the items they held (their ratio is the mean batch). */
  long[] counts() {
    lock.lock();
    try {
      return new long[] {runs, items};
    } finally {
      lock.unlock();
    }
  }

  private static final class Pending<I, O> {
    final I input;
    final int weight;
    final Condition wake;
    boolean leader;
    boolean done;
    O output;
    RuntimeException error;

    Pending(I input, int weight, ReentrantLock lock) {
      this.input = input;
      this.weight = weight;
      this.wake = lock.newCondition();
    }
  }
}
