package io.aligncap.model;

import io.aligncap.ModelPackageException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resolves the configured model location ({@code aligncap.model.path}) so that the default works
 * with no configuration in every mode: from the repository root a relative path is found on disk;
 * from a fast-jar, Lambda zip or container without the repository the same relative path is found
 * on the class path, where the build bundled the default model.
 */
public final class ModelLocator {

  static final String CLASSPATH_PREFIX = "classpath:";

  private ModelLocator() {}

  /**
   * @throws ModelPackageException when neither place holds a {@code manifest.json}
   */
  public static PackageSource locate(String location, ClassLoader loader) {
    if (location.startsWith(CLASSPATH_PREFIX)) {
      String prefix = trimSlashes(location.substring(CLASSPATH_PREFIX.length()));
      return onClasspath(prefix, loader)
          .orElseThrow(() -> notFound(location + "/" + ModelPackage.MANIFEST + " does not exist"));
    }
    Path dir = Path.of(location);
    if (Files.isRegularFile(dir.resolve(ModelPackage.MANIFEST))) {
      return PackageSource.directory(dir);
    }
    String tried = dir.toAbsolutePath().normalize() + "/" + ModelPackage.MANIFEST + " does not exist";
    if (dir.isAbsolute()) {
      throw notFound(tried);
    }
    String prefix = trimSlashes(dir.normalize().toString().replace('\\', '/'));
    return onClasspath(prefix, loader)
        .orElseThrow(
            () -> notFound(tried + ", nor does " + CLASSPATH_PREFIX + prefix + "/" + ModelPackage.MANIFEST));
  }

  private static java.util.Optional<PackageSource> onClasspath(String prefix, ClassLoader loader) {
    if (loader.getResource(prefix + "/" + ModelPackage.MANIFEST) == null) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(PackageSource.classpath(prefix, loader));
  }

  private static ModelPackageException notFound(String detail) {
    return new ModelPackageException("model package not found (aligncap.model.path): " + detail);
  }

  private static String trimSlashes(String s) {
    return s.replaceAll("^/+|/+$", "");
  }
}
