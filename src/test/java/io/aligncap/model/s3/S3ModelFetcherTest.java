package io.aligncap.model.s3;

import static io.aligncap.AligncapException.Kind.MODEL_PACKAGE;
import static io.aligncap.testing.Failures.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aligncap.AligncapException;
import io.aligncap.events.testing.MotoServer;
import io.aligncap.model.Graph;
import io.aligncap.model.ModelFetcher;
import io.aligncap.model.ModelLocator;
import io.aligncap.model.ModelPackage;
import io.aligncap.model.PackageSource;
import io.aligncap.testing.TestModel;
import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code aligncap.model.path=s3://…}: the default package uploaded to a real S3 server (moto). */
class S3ModelFetcherTest {

  private static final String BUCKET = "models";
  private static MotoServer moto;
  private static S3Client s3;
  private static final List<Path> downloads = new ArrayList<>();
  private static ModelFetcher fetcher;

  @BeforeAll
  static void uploadThePackage() throws IOException {
    moto = MotoServer.start();
    s3 =
        S3Client.builder()
            .endpointOverride(moto.endpoint())
            .forcePathStyle(true)
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
    s3.createBucket(b -> b.bucket(BUCKET));
    upload("packages/scenes-v2/");
    S3ModelFetcher s3Fetcher = new S3ModelFetcher(s3);
    fetcher = // the real fetcher, remembering its directories so that they are deleted afterwards
        new ModelFetcher() {
          @Override
          public String scheme() {
            return s3Fetcher.scheme();
          }

          @Override
          public Path fetch(String location) {
            Path dir = s3Fetcher.fetch(location);
            downloads.add(dir);
            return dir;
          }
        };
  }

  @AfterAll
  static void stop() throws IOException {
    for (Path dir : downloads) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    if (s3 != null) {
      s3.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  private static void upload(String prefix) throws IOException {
    try (Stream<Path> files = Files.walk(TestModel.DIR, FileVisitOption.FOLLOW_LINKS)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        String key = prefix + TestModel.DIR.relativize(p).toString().replace('\\', '/');
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromFile(p));
      }
    }
  }

  private static PackageSource locate(String location) {
    return ModelLocator.locate(
        location, S3ModelFetcherTest.class.getClassLoader(), List.of(fetcher));
  }

  @Test
  void packageUnderAnS3PrefixIsDownloadedAndVerified() {
    PackageSource source = locate("s3://" + BUCKET + "/packages/scenes-v2/");
    ModelPackage pkg = ModelPackage.load(source); // sizes and SHA-256 of every listed file

    assertEquals(TestModel.manifest().get("model_id").asText(), pkg.manifest().modelId());
    assertTrue(
        pkg.location().startsWith("s3://" + BUCKET + "/packages/scenes-v2/"), pkg.location());
    String decoder = pkg.manifest().graph(Graph.DECODER).file();
    assertTrue(pkg.graphBytes(Graph.DECODER).length > 0, decoder);
  }

  @Test
  void prefixWithoutTrailingSlashNamesAFolder() {
    ModelPackage pkg = ModelPackage.load(locate("s3://" + BUCKET + "/packages/scenes-v2"));
    assertEquals(TestModel.manifest().get("model_id").asText(), pkg.manifest().modelId());
  }

  @Test
  void alteredFileFailsTheManifestCheck() throws IOException {
    upload("packages/tampered/");
    String file = TestModel.manifest().get("files").fieldNames().next();
    byte[] bytes = Files.readAllBytes(TestModel.DIR.resolve(file));
    bytes[bytes.length / 2] ^= 1;
    s3.putObject(
        b -> b.bucket(BUCKET).key("packages/tampered/" + file), RequestBody.fromBytes(bytes));

    PackageSource source = locate("s3://" + BUCKET + "/packages/tampered/");
    AligncapException e = assertFails(MODEL_PACKAGE, () -> ModelPackage.load(source));
    assertTrue(e.getMessage().contains(file), e.getMessage());
  }

  @Test
  void emptyPrefixAndMissingBucketAreNamed() {
    AligncapException empty =
        assertFails(MODEL_PACKAGE, () -> locate("s3://" + BUCKET + "/nothing/"));
    assertTrue(empty.getMessage().contains("s3://" + BUCKET + "/nothing/"), empty.getMessage());

    AligncapException noBucket = assertFails(MODEL_PACKAGE, () -> locate("s3://no-such-bucket/m/"));
    assertTrue(noBucket.getMessage().contains("s3://no-such-bucket/m/"), noBucket.getMessage());
  }

  @Test
  void schemeWithoutAFetcherIsRefused() {
    AligncapException e =
        assertFails(
            MODEL_PACKAGE,
            () -> ModelLocator.locate("gs://b/m/", getClass().getClassLoader(), List.of(fetcher)));
    assertTrue(e.getMessage().contains("gs://"), e.getMessage());
  }
}
