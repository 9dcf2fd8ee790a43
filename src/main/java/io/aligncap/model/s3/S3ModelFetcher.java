package io.aligncap.model.s3;

import static io.aligncap.AligncapException.Kind.MODEL_PACKAGE;

import io.aligncap.AligncapException;
import io.aligncap.model.ModelFetcher;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Loads {@code aligncap.model.path=s3://bucket/prefix/} at start-up: every object under the prefix
 * is downloaded into a private temporary directory (kept for the process's life, since graph files
 * are read again when sessions are created). The S3 client is the service's one ({@code
 * io.aligncap.aws.AwsClients}, {@code aligncap.aws.*}), built only when an {@code s3://} path is
 * configured. Needs {@code s3:ListBucket} on the prefix and {@code s3:GetObject} on its keys.
 */
@ApplicationScoped
public class S3ModelFetcher implements ModelFetcher {

  private static final Logger LOG = Logger.getLogger(S3ModelFetcher.class);
  private static final String SCHEME = "s3";

  private final S3Client s3;

  public S3ModelFetcher(S3Client s3) {
    this.s3 = s3;
  }

  @Override
  public String scheme() {
    return SCHEME;
  }

  /**
   * @throws AligncapException (MODEL_PACKAGE) naming the bucket and key when listing or a download
   *     fails, or when nothing is stored under the prefix
   */
  @Override
  public Path fetch(String location) {
    String rest = location.substring((SCHEME + "://").length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    if (!prefix.isEmpty() && !prefix.endsWith("/")) {
      prefix += "/"; // a prefix names a folder: "models/a" must not match "models/ab/..."
    }
    if (bucket.isEmpty()) {
      throw failed(location, "expected s3://bucket/prefix/", null);
    }
    long start = System.nanoTime();
    Path dir = createPrivateDirectory(location);
    try {
      long bytes = 0;
      List<S3Object> objects = list(bucket, prefix);
      for (S3Object o : objects) {
        download(bucket, o.key(), target(dir, bucket, prefix, o.key()));
        bytes += o.size();
      }
      LOG.infof(
          "Model package s3://%s/%s: %d files, %d bytes downloaded to %s in %d ms",
          bucket, prefix, objects.size(), bytes, dir, (System.nanoTime() - start) / 1_000_000);
      return dir;
    } catch (RuntimeException e) {
      deleteQuietly(dir);
      throw e;
    }
  }

  /** The package's files: every key under the prefix except folder markers ({@code key/}). */
  private List<S3Object> list(String bucket, String prefix) {
    List<S3Object> objects;
    try {
      objects =
          s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
              .filter(o -> !o.key().endsWith("/"))
              .toList();
    } catch (SdkException e) {
      throw failed("s3://" + bucket + "/" + prefix, "listing failed: " + e.getMessage(), e);
    }
    if (objects.isEmpty()) {
      throw failed("s3://" + bucket + "/" + prefix, "no objects under this prefix", null);
    }
    return objects;
  }

  private void download(String bucket, String key, Path file) {
    try {
      Files.createDirectories(file.getParent());
      s3.getObject(b -> b.bucket(bucket).key(key), file);
    } catch (SdkException | IOException e) {
      throw failed(
          "s3://" + bucket + "/" + key, "download to " + file + " failed: " + e.getMessage(), e);
    }
  }

  private static Path target(Path dir, String bucket, String prefix, String key) {
    Path file = dir.resolve(key.substring(prefix.length())).normalize();
    if (!file.startsWith(dir) || file.equals(dir)) {
      throw failed("s3://" + bucket + "/" + key, "key escapes the prefix " + prefix, null);
    }
    return file;
  }

  private static Path createPrivateDirectory(String location) {
    try {
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        return Files.createTempDirectory(
            "aligncap-model-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      return Files.createTempDirectory("aligncap-model-");
    } catch (IOException e) {
      throw failed(location, "cannot create a temporary directory: " + e.getMessage(), e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warnf("could not delete the partial download %s: %s", dir, e.getMessage());
    }
  }

  private static AligncapException failed(String where, String problem, Throwable cause) {
    return new AligncapException(
        MODEL_PACKAGE,
        "model package from S3 (aligncap.model.path): " + where + ": " + problem,
        cause);
  }
}
