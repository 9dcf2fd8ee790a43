package io.aligncap.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Where a model package's files are read from: a directory, or a prefix on the class path (the
 * build bundles the default model into the jar so that a Lambda zip or a bare container finds it
 * without the repository). ONNX Runtime creates sessions from bytes, so nothing is extracted.
 */
public interface PackageSource {

  /** Reads one file of the package, by its path relative to the package root. */
  byte[] read(String relativePath) throws IOException;

  /** Where the package is, for messages and {@code GET /v1/models}. */
  String describe();

  /** A package in a directory on disk. */
  static PackageSource directory(Path root) {
    return directory(root, root.toAbsolutePath().normalize().toString());
  }

  /**
   * A package in a directory on disk, described as {@code description} (e.g. where it came from).
   */
  static PackageSource directory(Path root, String description) {
    return new PackageSource() {
      @Override
      public byte[] read(String relativePath) throws IOException {
        Path file = root.resolve(relativePath).normalize();
        if (!file.startsWith(root.normalize())) {
          throw new IOException("path escapes the package: " + relativePath);
        }
        return Files.readAllBytes(file);
      }

      @Override
      public String describe() {
        return description;
      }
    };
  }

  /** A package under {@code prefix} (e.g. {@code models/scenes-v2}) on the class path. */
  static PackageSource classpath(String prefix, ClassLoader loader) {
    String root = prefix.endsWith("/") ? prefix : prefix + "/";
    return new PackageSource() {
      @Override
      public byte[] read(String relativePath) throws IOException {
        try (InputStream in = loader.getResourceAsStream(root + relativePath)) {
          if (in == null) {
            throw new NoSuchFileException("classpath:" + root + relativePath);
          }
          return in.readAllBytes();
        }
      }

      @Override
      public String describe() {
        return "classpath:" + root;
      }
    };
  }
}
