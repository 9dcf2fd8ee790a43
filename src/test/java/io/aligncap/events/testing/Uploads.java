package io.aligncap.events.testing;

import io.aligncap.events.ObjectRef;
import java.util.List;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Puts objects on the test S3 server and reads results back, straight (not via the proxy). */
public final class Uploads {

  private Uploads() {}

  /** Uploads {@code bytes} and returns the reference an ObjectCreated event would carry. */
  public static ObjectRef put(String bucket, String key, byte[] bytes, String contentType) {
    var r =
        EventsTestResource.s3()
            .putObject(
                b -> b.bucket(bucket).key(key).contentType(contentType),
                RequestBody.fromBytes(bytes));
    return new ObjectRef(
        bucket, key, r.versionId(), r.eTag(), (long) bytes.length, "ObjectCreated:Put", null);
  }

  /** The ObjectCreated:Put event JSON for an uploaded object. */
  public static String event(ObjectRef ref) {
    return Events.s3Put(ref.bucket(), ref.key(), ref.eTag(), ref.size(), ref.versionId());
  }

  /** Result objects written for the source {@code key} (any model, any revision). */
  public static List<S3Object> results(String bucket, String key) {
    return EventsTestResource.s3()
        .listObjectsV2(b -> b.bucket(bucket).prefix("captions/" + bucket + "/" + key + "/"))
        .contents();
  }

  public static String read(String bucket, String key) {
    return EventsTestResource.s3().getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String();
  }
}
