package io.aligncap.events.sqs;

import io.aligncap.events.EventsConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The container mode's SQS worker (enabled by {@code aligncap.events.sqs.enabled}): long-polls the
 * queue that receives the bucket's notifications and captions with at most {@code concurrency}
 * messages in flight. A message is deleted only after its results are written; its visibility is
 * extended while it is worked on; failures are left to redelivery and the queue's dead-letter
 * queue. Shutdown stops polling, lets in-flight messages finish within the grace period, and leaves
 * the rest to redelivery (never half-acknowledged).
 */
@ApplicationScoped
public class SqsWorker {

  private static final Logger LOG = Logger.getLogger(SqsWorker.class);

  /** SQS returns at most 10 messages per receive. */
  private static final int MAX_BATCH = 10;

  private final EventsConfig.Sqs config;
  private final SqsClient sqs;
  private final SqsMessageHandler handler;
  private final AtomicInteger inFlight = new AtomicInteger();

  private volatile boolean running;
  private String queueUrl;
  private Thread poller;
  private ExecutorService workers;
  private VisibilityHeartbeat heartbeat;
  private Semaphore slots;

  SqsWorker(EventsConfig config, SqsClient sqs, SqsMessageHandler handler) {
    this.config = config.sqs();
    this.sqs = sqs;
    this.handler = handler;
  }

  void onStart(@Observes StartupEvent event) {
    if (config.enabled()) {
      start();
    }
  }

  void onStop(@Observes ShutdownEvent event) {
    stop();
  }

  /**
   * Starts polling.
   *
   * @throws IllegalStateException when no queue URL is configured, or the queue has no redrive
   *     policy while {@code aligncap.events.sqs.require-dead-letter-queue} is on
   */
  public synchronized void start() {
    if (running) {
      return;
    }
    queueUrl =
        config
            .queueUrl()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "aligncap.events.sqs.enabled is true but aligncap.events.sqs.queue-url is unset"));
    checkDeadLetterQueue();
    int concurrency = config.concurrency();
    if (concurrency < 1) {
      throw new IllegalStateException(
          "aligncap.events.sqs.concurrency must be at least 1, got " + concurrency);
    }
    slots = new Semaphore(concurrency);
    workers = Executors.newFixedThreadPool(concurrency, named("aligncap-sqs-worker"));
    heartbeat = new VisibilityHeartbeat(sqs, queueUrl, config.visibilityTimeout());
    running = true;
    poller = named("aligncap-sqs-poller").newThread(this::pollLoop);
    poller.start();
    LOG.infof("SQS worker polling %s with %d in flight at most", queueUrl, concurrency);
  }

  /** Stops polling and waits up to the grace period for in-flight messages. */
  public synchronized void stop() {
    if (!running) {
      return;
    }
    running = false;
    poller.interrupt(); // ends a long poll early
    workers.shutdown();
    try {
      poller.join(config.waitTime().plusSeconds(5).toMillis());
      if (!workers.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warnf(
            "SQS worker: %d messages still in flight after %s; left to redelivery",
            inFlight.get(), config.shutdownGrace());
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      heartbeat.close();
    }
    LOG.info("SQS worker stopped");
  }

  public boolean isRunning() {
    return running;
  }

  /** Messages being processed right now. */
  public int inFlight() {
    return inFlight.get();
  }

  private void checkDeadLetterQueue() {
    var attrs =
        sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.ALL))
            .attributes();
    if (!attrs.containsKey(QueueAttributeName.REDRIVE_POLICY)) {
      String msg =
          "queue "
              + queueUrl
              + " has no redrive policy (dead-letter queue): a message"
              + " that can never be processed would be retried forever";
      if (config.requireDeadLetterQueue()) {
        throw new IllegalStateException(
            msg + ". Add one, or set aligncap.events.sqs.require-dead-letter-queue=false.");
      }
      LOG.warn(msg);
    }
  }

  private void pollLoop() {
    while (running) {
      int held = 0;
      try {
        slots.acquire();
        held = 1;
        // Ask for as many messages as there are free slots (SQS gives at most 10).
        int more = Math.min(MAX_BATCH - 1, slots.availablePermits());
        if (more > 0 && slots.tryAcquire(more)) {
          held += more;
        }
        List<Message> messages = receive(held);
        for (Message m : messages) {
          held--;
          if (running) {
            dispatch(m);
          } else {
            release(m);
            slots.release();
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        if (running) {
          LOG.warnf("SQS receive failed, retrying in 1 s: %s", e.toString());
          sleepQuietly(Duration.ofSeconds(1));
        }
      } finally {
        slots.release(held);
      }
    }
  }

  private List<Message> receive(int max) {
    return sqs.receiveMessage(
            b ->
                b.queueUrl(queueUrl)
                    .maxNumberOfMessages(max)
                    .waitTimeSeconds((int) config.waitTime().toSeconds())
                    .visibilityTimeout((int) config.visibilityTimeout().toSeconds())
                    .messageSystemAttributeNames(
                        MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
        .messages();
  }

  private void dispatch(Message m) {
    inFlight.incrementAndGet();
    heartbeat.track(m);
    workers.execute(
        () -> {
          try {
            process(m);
          } finally {
            heartbeat.untrack(m);
            inFlight.decrementAndGet();
            slots.release();
          }
        });
  }

  private void process(Message m) {
    SqsMessageHandler.Disposition d;
    try {
      d = handler.handle(m.messageId(), m.body());
    } catch (RuntimeException e) {
      LOG.errorf(e, "SQS message %s failed unexpectedly; left for redelivery", m.messageId());
      return;
    }
    try {
      switch (d) {
        case DONE -> sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
        case POISON -> release(m);
        case RETRY ->
            LOG.debugf(
                "SQS message %s (receive %s) left for redelivery",
                m.messageId(),
                m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT));
      }
    } catch (RuntimeException e) {
      // The work is done and recorded; the redelivered message will find its result.
      LOG.warnf(
          "SQS message %s processed (%s) but not acknowledged; it will be redelivered: %s",
          m.messageId(), d, e.toString());
    }
  }

  /** Makes a message visible again now (it counts as received for the redrive policy). */
  private void release(Message m) {
    try {
      sqs.changeMessageVisibility(
          b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()).visibilityTimeout(0));
    } catch (RuntimeException e) {
      LOG.debugf(
          "SQS message %s not released (visible again after its timeout): %s",
          m.messageId(), e.toString());
    }
  }

  private static void sleepQuietly(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static java.util.concurrent.ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
