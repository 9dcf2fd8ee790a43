package io.aligncap.events.batch;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * What S3 Batch Operations sends a Lambda function ({@code LambdaInvoke}), invocation schema 1.0
 * (tasks name the bucket by ARN) or 2.0 (by name, with the job's user arguments).
 */
@RegisterForReflection // Jackson reads/writes it outside REST signatures (native image); nested
// records too
@JsonIgnoreProperties(ignoreUnknown = true)
public record BatchInvocation(
    String invocationSchemaVersion, String invocationId, Job job, List<Task> tasks) {

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Job(String id, Map<String, String> userArguments) {}

  /**
   * One object. {@code s3Key} is URL-encoded as in S3 events; {@code s3VersionId} is null on
   * unversioned buckets; schema 1.0 gives {@code s3BucketArn}, 2.0 gives {@code s3Bucket}.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Task(
      String taskId, String s3Key, String s3VersionId, String s3BucketArn, String s3Bucket) {

    /** The bucket's name, from either schema. */
    public String bucket() {
      if (s3Bucket != null && !s3Bucket.isBlank()) {
        return s3Bucket;
      }
      // arn:aws:s3:::name (bucket names never contain ':')
      return s3BucketArn == null ? null : s3BucketArn.substring(s3BucketArn.lastIndexOf(':') + 1);
    }
  }
}
