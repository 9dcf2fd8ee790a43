package io.aligncap.events.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aligncap.events.sqs.SqsMessageHandler;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Lambda handler {@code sqs}: an SQS event source mapping with {@code ReportBatchItemFailures}
 * delivers a batch of messages, each an S3 notification (raw, SNS or EventBridge envelope). A
 * message that failed transiently, or can never be processed, is reported in {@code
 * batchItemFailures}, so only it returns to the queue (and, after the redrive policy's receives, to
 * the dead-letter queue); the rest of the batch is deleted. No single message fails the invocation:
 * only an event that is not an SQS batch at all does.
 */
@Named("sqs")
public class SqsEventHandler implements RequestStreamHandler {

  @RegisterForReflection // read/written by Jackson (native image)
  @JsonIgnoreProperties(ignoreUnknown = true)
  record SqsEvent(@JsonProperty("Records") List<SqsRecord> records) {}

  @RegisterForReflection // read/written by Jackson (native image)
  @JsonIgnoreProperties(ignoreUnknown = true)
  record SqsRecord(String messageId, String body) {}

  /** The partial batch response Lambda reads. */
  @RegisterForReflection // read/written by Jackson (native image)
  public record BatchItemFailures(List<Item> batchItemFailures) {
    public record Item(String itemIdentifier) {}
  }

  private static final Logger LOG = Logger.getLogger(SqsEventHandler.class);

  private final SqsMessageHandler handler;
  private final ObjectMapper json;

  SqsEventHandler(SqsMessageHandler handler, ObjectMapper json) {
    this.handler = handler;
    this.json = json;
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    SqsEvent event = json.readValue(input, SqsEvent.class);
    List<BatchItemFailures.Item> failures = new ArrayList<>();
    for (SqsRecord r : event.records() == null ? List.<SqsRecord>of() : event.records()) {
      SqsMessageHandler.Disposition d;
      try {
        d = handler.handle(r.messageId(), r.body());
      } catch (RuntimeException e) { // never a failed invocation for one message (issue 11)
        LOG.errorf(e, "SQS message %s failed unexpectedly; reported as a batch item failure", r);
        d = SqsMessageHandler.Disposition.RETRY;
      }
      if (d != SqsMessageHandler.Disposition.DONE) {
        failures.add(new BatchItemFailures.Item(r.messageId()));
      }
    }
    json.writeValue(output, new BatchItemFailures(failures));
  }
}
