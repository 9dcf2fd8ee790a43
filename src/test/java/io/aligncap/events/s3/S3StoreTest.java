package io.aligncap.events.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aligncap.events.ObjectRef;
import io.aligncap.events.testing.EventsTestResource;
import io.aligncap.events.testing.FaultProxy;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The S3 calls against a real S3-compatible server (moto), through the fault proxy. */
class S3StoreTest {

  private static final EventsTestResource servers = new EventsTestResource();
  private static S3Client client;
  private static S3Store store;

  @BeforeAll
  static void start() {
    Map<String, String> config = servers.start();
    client =
        S3Client.builder()
            .endpointOverride(java.net.URI.create(config.get("aligncap.aws.s3-endpoint")))
            .forcePathStyle(true)
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(
                o ->
                    o.retryStrategy(
                        AwsRetryStrategy.standardRetryStrategy().toBuilder()
                            .maxAttempts(4)
                            .build()))
            .build();
    store = new S3Store(client);
  }

  @AfterAll
  static void stop() {
    client.close();
    servers.stop();
  }

  @AfterEach
  void clearFaults() {
    EventsTestResource.s3Proxy().clear();
  }

  private static ObjectRef put(String bucket, String key, String body) {
    var r =
        EventsTestResource.s3()
            .putObject(
                b -> b.bucket(bucket).key(key).contentType("image/png"),
                RequestBody.fromString(body));
    return new ObjectRef(
        bucket, key, r.versionId(), r.eTag(), (long) body.length(), "ObjectCreated:Put", null);
  }

  @Test
  void readsTheEventsVersionAndHeadsSizeAndEtag() {
    ObjectRef v1 = put(EventsTestResource.VERSIONED_BUCKET, "a b+c.png", "first");
    put(EventsTestResource.VERSIONED_BUCKET, "a b+c.png", "second version");
    S3Store.Source s = store.read(v1, 1000);
    assertArrayEquals("first".getBytes(StandardCharsets.UTF_8), s.bytes());
    assertEquals(v1.versionId(), s.versionId());
    ObjectRef head = store.head(ObjectRef.of(v1.bucket(), v1.key(), null)).orElseThrow();
    assertEquals(14L, head.size());
    assertTrue(store.head(ObjectRef.of(v1.bucket(), "missing.png", null)).isEmpty());
  }

  @Test
  void anOverwrittenObjectIsNotReadUnderItsOldEtag() {
    ObjectRef old = put(EventsTestResource.BUCKET, "overwritten.png", "old");
    put(EventsTestResource.BUCKET, "overwritten.png", "new!");
    S3Exception e = assertThrows(S3Exception.class, () -> store.read(old, 1000));
    assertEquals(412, e.statusCode());
  }

  @Test
  void refusesAnObjectOverTheLimitBeforeReadingIt() {
    ObjectRef ref = put(EventsTestResource.BUCKET, "big.png", "0123456789");
    assertThrows(S3Store.TooLargeException.class, () -> store.read(ref, 5));
  }

  @Test
  void conditionalPutWritesOnce() {
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    assertTrue(
        store.putIfAbsent(
            EventsTestResource.BUCKET, "captions/once.json", body, "application/json"));
    assertFalse(
        store.putIfAbsent(
            EventsTestResource.BUCKET, "captions/once.json", body, "application/json"));
    assertTrue(store.exists(EventsTestResource.BUCKET, "captions/once.json"));
    assertFalse(store.exists(EventsTestResource.BUCKET, "captions/never.json"));
  }

  @Test
  void throttlingIsRetriedUntilS3Recovers() {
    ObjectRef ref = put(EventsTestResource.BUCKET, "throttled.png", "pixels");
    FaultProxy proxy = EventsTestResource.s3Proxy();
    proxy.slowDown(r -> r.method().equals("GET") && r.pathContains("throttled.png"), 2);
    assertArrayEquals("pixels".getBytes(StandardCharsets.UTF_8), store.read(ref, 100).bytes());
    assertEquals(3, proxy.count(r -> r.method().equals("GET") && r.pathContains("throttled.png")));
  }

  @Test
  void tagsKeepExistingTags() {
    ObjectRef ref = put(EventsTestResource.VERSIONED_BUCKET, "tagged.png", "x");
    EventsTestResource.s3()
        .putObjectTagging(
            b ->
                b.bucket(ref.bucket())
                    .key(ref.key())
                    .tagging(t -> t.tagSet(s -> s.key("owner").value("alice"))));
    store.tag(ref, Map.of("aligncap-status", "succeeded"));
    var tags =
        EventsTestResource.s3()
            .getObjectTagging(b -> b.bucket(ref.bucket()).key(ref.key()))
            .tagSet();
    assertEquals(2, tags.size(), tags.toString());
  }
}
