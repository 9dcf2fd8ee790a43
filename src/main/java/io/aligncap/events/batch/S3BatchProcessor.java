package io.aligncap.events.batch;

import io.aligncap.events.MalformedEventException;
import io.aligncap.events.ObjectRef;
import io.aligncap.events.Outcome;
import io.aligncap.events.S3EventParser;
import io.aligncap.events.S3ObjectCaptioner;
import io.aligncap.events.TransientEventException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Backfill through S3 Batch Operations: each task is one object of the job's manifest, captioned by
 * the same operation as an S3 event, and answered {@code Succeeded} (captioned, already done or
 * skipped), {@code PermanentFailure} (can never be captioned; a failure result is written where the
 * object exists) or {@code TemporaryFailure} (Batch retries it).
 */
@ApplicationScoped
public class S3BatchProcessor {

  private static final Logger LOG = Logger.getLogger(S3BatchProcessor.class);

  /** The response schema when an invocation names none (S3 Batch always does). */
  static final String DEFAULT_SCHEMA = "1.0";

  private final S3ObjectCaptioner captioner;

  S3BatchProcessor(S3ObjectCaptioner captioner) {
    this.captioner = captioner;
  }

  public BatchResponse process(BatchInvocation invocation) {
    List<BatchResponse.Result> results = new ArrayList<>();
    List<BatchInvocation.Task> tasks = invocation.tasks() == null ? List.of() : invocation.tasks();
    for (BatchInvocation.Task task : tasks) {
      results.add(process(task));
    }
    String schema =
        invocation.invocationSchemaVersion() == null
            ? DEFAULT_SCHEMA
            : invocation.invocationSchemaVersion(); // the response answers in the job's schema
    return new BatchResponse(
        schema, BatchResponse.PERMANENT_FAILURE, invocation.invocationId(), results);
  }

  private BatchResponse.Result process(BatchInvocation.Task task) {
    ObjectRef ref;
    try {
      ref = ObjectRef.of(task.bucket(), S3EventParser.decodeKey(task.s3Key()), task.s3VersionId());
    } catch (MalformedEventException e) {
      return result(task, BatchResponse.PERMANENT_FAILURE, e.getMessage());
    }
    try {
      Outcome o = captioner.caption(ref);
      return switch (o.status()) {
        case CAPTIONED, ALREADY_DONE -> result(task, BatchResponse.SUCCEEDED, o.resultKey());
        case SKIPPED -> result(task, BatchResponse.SUCCEEDED, "skipped: " + o.detail());
        case FAILED -> result(task, BatchResponse.PERMANENT_FAILURE, o.detail());
      };
    } catch (TransientEventException e) {
      return result(task, BatchResponse.TEMPORARY_FAILURE, e.getMessage());
    } catch (RuntimeException e) {
      LOG.errorf(e, "S3 Batch task %s (%s) failed unexpectedly", task.taskId(), ref);
      return result(task, BatchResponse.TEMPORARY_FAILURE, e.toString());
    }
  }

  private static BatchResponse.Result result(BatchInvocation.Task t, String code, String text) {
    return new BatchResponse.Result(t.taskId(), code, text);
  }
}
