package io.aligncap.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The leader/follower batcher on its own: grouping, limits, order, errors. */
class BatcherTest {

  @Test
  void aLoneCallerRunsAtOnceOnItsOwnThread() {
    List<String> threads = new ArrayList<>();
    Batcher<Integer, Integer> b =
        new Batcher<>(
            8,
            Duration.ZERO,
            i -> 1,
            batch -> {
              threads.add(Thread.currentThread().getName());
              return batch.stream().map(i -> i * 2).toList();
            });
    assertEquals(6, b.submit(3));
    assertEquals(List.of(Thread.currentThread().getName()), threads);
    assertEquals(1, b.counts()[0]);
  }

  @Test
  void callersThatArriveDuringARunAreGroupedIntoTheNextWithinTheWeight() throws Exception {
    CountDownLatch firstRunning = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<List<Integer>> runs = Collections.synchronizedList(new ArrayList<>());
    Batcher<Integer, Integer> b =
        new Batcher<>(
            5,
            Duration.ZERO,
            i -> i, // the weight is the value: rows of a decoder step
            batch -> {
              runs.add(List.copyOf(batch));
              if (batch.contains(100)) {
                firstRunning.countDown();
                await(release);
              }
              return batch.stream().map(i -> -i).toList();
            });
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      Future<Integer> first = pool.submit(() -> b.submit(100)); // heavier than 5: runs alone
      assertTrue(firstRunning.await(10, TimeUnit.SECONDS));
      List<Future<Integer>> rest = new ArrayList<>();
      for (int v : new int[] {2, 2, 1, 3, 1}) {
        rest.add(pool.submit(() -> b.submit(v)));
        waitForQueued(b, rest.size());
      }
      release.countDown();
      assertEquals(-100, first.get(10, TimeUnit.SECONDS));
      int[] want = {-2, -2, -1, -3, -1};
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], rest.get(i).get(10, TimeUnit.SECONDS));
      }
      // queued in arrival order 2, 2, 1, 3, 1: the next run takes 2+2+1 = 5, then 3+1
      assertEquals(List.of(List.of(100), List.of(2, 2, 1), List.of(3, 1)), runs);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFailedRunFailsEveryCallerInItAndTheNextRunStillHappens() {
    RuntimeException boom = new IllegalStateException("boom");
    Batcher<Integer, Integer> b =
        new Batcher<>(
            4,
            Duration.ZERO,
            i -> 1,
            batch -> {
              if (batch.contains(13)) {
                throw boom;
              }
              return batch;
            });
    assertSame(boom, assertThrows(IllegalStateException.class, () -> b.submit(13)));
    assertEquals(7, b.submit(7));
  }

  @Test
  void aWeightOfOneIsOneItemPerRun() throws Exception {
    List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
    Batcher<Integer, Integer> b =
        new Batcher<>(
            1,
            Duration.ZERO,
            i -> 1,
            batch -> {
              sizes.add(batch.size());
              return batch;
            });
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> all = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        int v = i;
        all.add(pool.submit(() -> b.submit(v)));
      }
      for (int i = 0; i < all.size(); i++) {
        assertEquals(i, all.get(i).get(10, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    assertTrue(sizes.stream().allMatch(s -> s == 1), "a fixed batch axis of 1: " + sizes);
    assertEquals(200, sizes.size());
  }

  @Test
  void aLeaderWaitsUpToMaxWaitForTheBatchToFill() throws Exception {
    List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
    Batcher<Integer, Integer> b =
        new Batcher<>(
            2,
            Duration.ofSeconds(5),
            i -> 1,
            batch -> {
              sizes.add(batch.size());
              return batch;
            });
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Integer> a = pool.submit(() -> b.submit(1));
      waitForQueued(b, 1); // the leader waits for a second item (it stays queued until it runs)
      Future<Integer> c = pool.submit(() -> b.submit(2));
      assertEquals(1, a.get(10, TimeUnit.SECONDS));
      assertEquals(2, c.get(10, TimeUnit.SECONDS));
    } finally {
      pool.shutdownNow();
    }
    assertEquals(List.of(2), sizes);
  }

  /** Waits until {@code n} callers wait in the queue (the running one has left it). */
  private static void waitForQueued(Batcher<?, ?> b, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (b.queued() < n && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(n, b.queued());
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
