package io.aligncap.model;

import static io.aligncap.AligncapException.Kind.MODEL_PACKAGE;

import io.aligncap.AligncapException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves the configured model location ({@code aligncap.model.path}) so that the default works
 * with no configuration in every mode: from the repository root a relative path is found on disk;
 * from a fast-jar, Lambda zip or container without the repository the same relative path is found
 * on the class path, where the build bundled the default model. A remote location ({@code
 * s3://bucket/prefix/}) is downloaded by the {@link ModelFetcher} for its scheme.
 */
public final class ModelLocator {

  static final String CLASSPATH_PREFIX = "classpath:";
  private static final Pattern REMOTE = Pattern.compile("^([a-z][a-z0-9+.-]*)://.*");

  private ModelLocator() {}

  /**
   * A directory, a package on the class path, or a {@code scheme://} location downloaded by the
   * fetcher for that scheme.
   *
   * @throws AligncapException (MODEL_PACKAGE) when no fetcher serves the scheme, the download
   *     fails, or no {@code manifest.json} is found
   */
  public static PackageSource locate(
      String location, ClassLoader loader, List<? extends ModelFetcher> fetchers) {
    Matcher remote = REMOTE.matcher(location);
    if (remote.matches()) {
      return fetched(location, remote.group(1), fetchers);
    }
    if (location.startsWith(CLASSPATH_PREFIX)) {
      String prefix = trimSlashes(location.substring(CLASSPATH_PREFIX.length()));
      return onClasspath(prefix, loader)
          .orElseThrow(() -> notFound(location + "/" + ModelPackage.MANIFEST + " does not exist"));
    }
    Path dir = Path.of(location);
    if (Files.isRegularFile(dir.resolve(ModelPackage.MANIFEST))) {
      return PackageSource.directory(dir);
    }
    String tried =
        dir.toAbsolutePath().normalize() + "/" + ModelPackage.MANIFEST + " does not exist";
    if (dir.isAbsolute()) {
      throw notFound(tried);
    }
    String prefix = trimSlashes(dir.normalize().toString().replace('\\', '/'));
    return onClasspath(prefix, loader)
        .orElseThrow(
            () ->
                notFound(
                    tried
                        + ", nor does "
                        + CLASSPATH_PREFIX
                        + prefix
                        + "/"
                        + ModelPackage.MANIFEST));
  }

  private static PackageSource fetched(
      String location, String scheme, List<? extends ModelFetcher> fetchers) {
    ModelFetcher fetcher =
        fetchers.stream()
            .filter(f -> f.scheme().equals(scheme))
            .findFirst()
            .orElseThrow(
                () ->
                    notFound(
                        location
                            + ": no loader for "
                            + scheme
                            + ":// locations, expected one of "
                            + fetchers.stream().map(f -> f.scheme() + "://").toList()
                            + ", a directory or "
                            + CLASSPATH_PREFIX));
    Path dir = fetcher.fetch(location);
    if (!Files.isRegularFile(dir.resolve(ModelPackage.MANIFEST))) {
      throw notFound(
          (location.endsWith("/") ? location : location + "/")
              + ModelPackage.MANIFEST
              + " does not exist");
    }
    return PackageSource.directory(dir, location + " (downloaded to " + dir + ")");
  }

  private static java.util.Optional<PackageSource> onClasspath(String prefix, ClassLoader loader) {
    if (loader.getResource(prefix + "/" + ModelPackage.MANIFEST) == null) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(PackageSource.classpath(prefix, loader));
  }

  private static AligncapException notFound(String detail) {
    return new AligncapException(
        MODEL_PACKAGE, "model package not found (aligncap.model.path): " + detail);
  }

  private static String trimSlashes(String s) {
    return s.replaceAll("^/+|/+$", "");
  }
}
