package io.aligncap.events.batch;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * The answer S3 Batch Operations expects: one result per task. {@code TemporaryFailure} makes Batch
 * retry the task; {@code PermanentFailure} and {@code Succeeded} are final and land in the job's
 * completion report with the result string.
 */
@RegisterForReflection // Jackson reads/writes it outside REST signatures (native image); nested
// records too
public record BatchResponse(
    String invocationSchemaVersion,
    String treatMissingKeysAs,
    String invocationId,
    List<Result> results) {

  public static final String SUCCEEDED = "Succeeded";
  public static final String TEMPORARY_FAILURE = "TemporaryFailure";
  public static final String PERMANENT_FAILURE = "PermanentFailure";

  public record Result(String taskId, String resultCode, String resultString) {}
}
