package io.aligncap.events.sqs;

import io.aligncap.events.MalformedEventException;
import io.aligncap.events.ObjectRef;
import io.aligncap.events.S3EventParser;
import io.aligncap.events.S3ObjectCaptioner;
import io.aligncap.events.TransientEventException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * One SQS message → what to do with it, for both the container worker and the Lambda SQS handler.
 * The body is an S3 notification (raw, in an SNS envelope, or from EventBridge); every object in it
 * is captioned, and the message is done only when each one came to a final outcome.
 */
@ApplicationScoped
public class SqsMessageHandler {

  /** What the delivery path does with the message. */
  public enum Disposition {
    /** Every object came to a final outcome: delete the message. */
    DONE,
    /** Some object failed in a way a retry may fix: leave the message to redelivery. */
    RETRY,
    /**
     * The message can never be processed (not JSON, not an S3 event): make it visible again at
     * once, so the queue's redrive policy moves it to the dead-letter queue after its receives.
     */
    POISON
  }

  private static final Logger LOG = Logger.getLogger(SqsMessageHandler.class);

  private final S3ObjectCaptioner captioner;

  SqsMessageHandler(S3ObjectCaptioner captioner) {
    this.captioner = captioner;
  }

  /** What to do with one message; never throws, so one message cannot fail its batch. */
  public Disposition handle(String messageId, String body) {
    S3EventParser.Parsed parsed;
    try {
      parsed = S3EventParser.parse(body);
    } catch (MalformedEventException e) {
      LOG.errorf(
          "SQS message %s is not a valid S3 event, left for the dead-letter queue: %s",
          messageId, e.getMessage());
      return Disposition.POISON;
    } catch (RuntimeException e) { // a parser bug must not fail the other messages of a batch
      LOG.errorf(
          e, "SQS message %s could not be parsed, left for the dead-letter queue", messageId);
      return Disposition.POISON;
    }
    parsed.ignored().forEach(why -> LOG.debugf("SQS message %s: ignored %s", messageId, why));
    Disposition disposition = Disposition.DONE;
    for (ObjectRef ref : parsed.objects()) {
      try {
        captioner.caption(ref);
      } catch (TransientEventException e) {
        disposition = Disposition.RETRY;
      } catch (RuntimeException e) {
        LOG.errorf(
            e, "SQS message %s: %s failed unexpectedly; left for redelivery", messageId, ref);
        disposition = Disposition.RETRY;
      }
    }
    return disposition;
  }
}
