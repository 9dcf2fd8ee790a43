package io.aligncap.events;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Settings of the event modes (issue 5): the S3 trigger, the SQS worker and S3 Batch Operations,
 * under the prefix {@code aligncap.events}. Defaults are listed in {@code application.properties};
 * environment variables follow the usual rule ({@code ALIGNCAP_EVENTS_OUTPUT_PREFIX}).
 */
@ConfigMapping(prefix = "aligncap.events")
public interface EventsConfig {

  Input input();

  Output output();

  Sqs sqs();

  /** Which objects are captioned. */
  interface Input {
    /** Only keys under this prefix are captioned (empty: every key). */
    Optional<String> prefix();

    /**
     * Key suffixes (case-insensitive) taken for images; other keys are skipped without a download.
     * An empty list leaves the decision to the image decoder.
     */
    @WithDefault(".jpg,.jpeg,.png,.webp,.gif,.bmp")
    List<String> suffixes();
  }

  /** Where result JSON goes. */
  interface Output {
    /** Result bucket; absent: the source object's own bucket. */
    Optional<String> bucket();

    /**
     * Prefix of every result key. Keys under it are never captioned (recursion guard), and a
     * configuration whose results would land under the input prefix is refused.
     */
    @WithDefault("captions/")
    String prefix();

    /** Also tag the source object with the result's status and model. */
    @WithDefault("false")
    boolean tagSource();
  }

  /** The SQS worker of the container app. */
  interface Sqs {
    /** Run the worker (container mode); the Lambda builds use their SQS handler instead. */
    @WithDefault("false")
    boolean enabled();

    /** Queue that receives the bucket's notifications (raw, via SNS or via EventBridge). */
    Optional<String> queueUrl();

    /** Messages processed at once; also the most one receive asks for (capped at 10). */
    @WithDefault("2")
    int concurrency();

    /** Long-poll wait of one receive (0 to 20 s). */
    @WithDefault("20s")
    Duration waitTime();

    /**
     * Visibility timeout set on each received message and renewed every third of it while the
     * message is being processed, so long work is never handed to a second worker.
     */
    @WithDefault("60s")
    Duration visibilityTimeout();

    /**
     * Refuse to start on a queue without a redrive policy: a message that can never succeed would
     * otherwise be retried forever.
     */
    @WithDefault("true")
    boolean requireDeadLetterQueue();

    /** How long shutdown waits for in-flight messages before leaving them to redelivery. */
    @WithDefault("30s")
    Duration shutdownGrace();
  }
}
