package io.aligncap.events.sqs;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Keeps messages that are being worked on invisible: every third of the visibility timeout it
 * extends each tracked message by the full timeout, so a long inference (a slow CPU, a cold GPU) is
 * never handed to a second worker, while a worker that dies stops extending and its messages come
 * back within one timeout.
 */
final class VisibilityHeartbeat implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(VisibilityHeartbeat.class);

  private final SqsClient sqs;
  private final String queueUrl;
  private final int timeoutSeconds;
  private final Map<String, Message> tracked = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer;

  VisibilityHeartbeat(SqsClient sqs, String queueUrl, Duration visibilityTimeout) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
    this.timeoutSeconds = (int) Math.max(1, visibilityTimeout.toSeconds());
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "aligncap-sqs-heartbeat");
              t.setDaemon(true);
              return t;
            });
    long period = Math.max(250, visibilityTimeout.toMillis() / 3);
    timer.scheduleAtFixedRate(this::extendAll, period, period, TimeUnit.MILLISECONDS);
  }

  void track(Message m) {
    tracked.put(m.messageId(), m);
  }

  void untrack(Message m) {
    tracked.remove(m.messageId());
  }

  private void extendAll() {
    for (Message m : tracked.values()) {
      try {
        sqs.changeMessageVisibility(
            b ->
                b.queueUrl(queueUrl)
                    .receiptHandle(m.receiptHandle())
                    .visibilityTimeout(timeoutSeconds));
      } catch (RuntimeException e) {
        // Deleted meanwhile, or SQS unreachable: the next tick (or redelivery) takes over.
        LOG.debugf("visibility of SQS message %s not extended: %s", m.messageId(), e.toString());
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    tracked.clear();
  }
}
