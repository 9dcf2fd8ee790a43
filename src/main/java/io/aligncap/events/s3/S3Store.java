package io.aligncap.events.s3;

import io.aligncap.events.ObjectRef;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * The S3 calls of the event modes: read a source object version, check and conditionally write a
 * result, tag a source. S3 errors pass through as {@link S3Exception}s except where a status is an
 * answer (404 on a HEAD, 412 on a conditional write).
 */
@ApplicationScoped
public class S3Store {

  /** Bytes of one source object and what S3 said about it. */
  public record Source(byte[] bytes, String contentType, String eTag, String versionId) {}

  /** The source is larger than allowed (its Content-Length, before any body is read). */
  public static final class TooLargeException extends RuntimeException {
    public TooLargeException(String message) {
      super(message);
    }
  }

  private static final Logger LOG = Logger.getLogger(S3Store.class);

  private final S3Client s3;

  S3Store(S3Client s3) {
    this.s3 = s3;
  }

  /**
   * HEAD of a source version: its ETag (without quotes) and size.
   *
   * @return empty when the object (or that version) does not exist
   */
  public Optional<ObjectRef> head(ObjectRef ref) {
    try {
      HeadObjectResponse r =
          s3.headObject(b -> b.bucket(ref.bucket()).key(ref.key()).versionId(ref.versionId()));
      return Optional.of(ref.withMetadata(r.eTag(), r.contentLength()));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * Reads a source object: the event's version when it has one, otherwise the latest object on
   * condition that its ETag is still the event's ({@code If-Match}), so an object overwritten since
   * the event is not captioned under the old revision (S3 answers 412).
   *
   * @throws TooLargeException when S3 reports more than {@code maxBytes}
   * @throws S3Exception for S3's own errors (404 deleted, 412 superseded, 403, 5xx after retries)
   */
  public Source read(ObjectRef ref, long maxBytes) {
    GetObjectRequest.Builder req = GetObjectRequest.builder().bucket(ref.bucket()).key(ref.key());
    if (ref.versionId() != null) {
      req.versionId(ref.versionId());
    } else if (ref.eTag() != null) {
      req.ifMatch('"' + ref.eTag() + '"');
    }
    try (ResponseInputStream<GetObjectResponse> in = s3.getObject(req.build())) {
      GetObjectResponse r = in.response();
      Long length = r.contentLength();
      if (length != null && length > maxBytes) {
        in.abort();
        throw new TooLargeException(
            ref + " is " + length + " bytes, more than the limit of " + maxBytes);
      }
      byte[] bytes = readAtMost(in, maxBytes, ref);
      return new Source(bytes, r.contentType(), r.eTag(), r.versionId());
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + ref + " failed", e);
    }
  }

  /**
   * Whether {@code bucket/key} exists (a result written before). S3 answers a HEAD of a missing key
   * with 403 instead of 404 when the caller lacks {@code s3:ListBucket}; that counts as "not known
   * to exist", and the conditional write stays the guard against a second result.
   */
  public boolean exists(String bucket, String key) {
    try {
      s3.headObject(b -> b.bucket(bucket).key(key));
      return true;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      if (e.statusCode() == 403) {
        LOG.debugf(
            "HEAD s3://%s/%s denied (no s3:ListBucket?): relying on the conditional write",
            bucket, key);
        return false;
      }
      throw e;
    }
  }

  /**
   * Writes {@code body} to {@code bucket/key} unless an object is there already ({@code
   * If-None-Match: *}: S3 decides atomically, so concurrent writers leave one object).
   *
   * @return true when this call wrote it, false when the key existed (412)
   */
  public boolean putIfAbsent(String bucket, String key, byte[] body, String contentType) {
    try {
      s3.putObject(
          b -> b.bucket(bucket).key(key).ifNoneMatch("*").contentType(contentType),
          RequestBody.fromBytes(body));
      return true;
    } catch (S3Exception e) {
      if (e.statusCode() == 412) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Adds {@code tags} to the source version's tag set (S3 replaces the whole set, so the existing
   * tags are read first and kept).
   */
  public void tag(ObjectRef ref, Map<String, String> tags) {
    List<Tag> merged = new ArrayList<>();
    s3
        .getObjectTagging(b -> b.bucket(ref.bucket()).key(ref.key()).versionId(ref.versionId()))
        .tagSet()
        .stream()
        .filter(t -> !tags.containsKey(t.key()))
        .forEach(merged::add);
    tags.forEach((k, v) -> merged.add(Tag.builder().key(k).value(v).build()));
    s3.putObjectTagging(
        b ->
            b.bucket(ref.bucket())
                .key(ref.key())
                .versionId(ref.versionId())
                .tagging(t -> t.tagSet(merged)));
  }

  private static byte[] readAtMost(InputStream in, long maxBytes, ObjectRef ref)
      throws IOException {
    // Content-Length can be absent; never buffer more than the limit.
    byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    if (bytes.length > maxBytes) {
      throw new TooLargeException(ref + " is more than the limit of " + maxBytes + " bytes");
    }
    return bytes;
  }
}
