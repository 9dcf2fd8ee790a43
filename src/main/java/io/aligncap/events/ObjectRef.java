package io.aligncap.events;

import java.time.Instant;

/**
 * One S3 object version that an event asks to caption, as the event describes it.
 *
 * @param bucket source bucket
 * @param key the object key, already URL-decoded (events carry it form-encoded: {@code +} and
 *     {@code %20} are spaces)
 * @param versionId the version, or null on an unversioned bucket (and in events that omit it)
 * @param eTag the ETag without quotes, or null when the event has none (S3 Batch tasks)
 * @param size the size in bytes from the event, or null when unknown
 * @param eventName what happened, e.g. {@code ObjectCreated:Put}; null for S3 Batch tasks
 * @param eventTime when it happened, or null when unknown
 */
public record ObjectRef(
    String bucket,
    String key,
    String versionId,
    String eTag,
    Long size,
    String eventName,
    Instant eventTime) {

  public ObjectRef {
    if (bucket == null || bucket.isBlank()) {
      throw new MalformedEventException("an S3 object reference needs a bucket name, got none");
    }
    if (key == null || key.isEmpty()) {
      throw new MalformedEventException("an S3 object reference needs a key, got none");
    }
    versionId = blankToNull(versionId);
    eTag = eTag == null ? null : blankToNull(eTag.replace("\"", ""));
  }

  /** A reference to the latest version of {@code bucket/key}, e.g. from an S3 Batch task. */
  public static ObjectRef of(String bucket, String key, String versionId) {
    return new ObjectRef(bucket, key, versionId, null, null, null, null);
  }

  /** Same object with the ETag and size read from S3 (a HEAD), when the event had none. */
  public ObjectRef withMetadata(String eTag, Long size) {
    return new ObjectRef(bucket, key, versionId, eTag, size, eventName, eventTime);
  }

  @Override
  public String toString() {
    return "s3://" + bucket + "/" + key + (versionId == null ? "" : "?versionId=" + versionId);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() || "null".equals(s) ? null : s;
  }
}
