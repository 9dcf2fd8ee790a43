package io.aligncap.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The default model package the tests run against (models/scenes-v1 from the repository root, where
 * Maven runs the tests; {@code -Daligncap.model.path=DIR} points the tests and the service at
 * another package), and its golden parity file. Sizes, names and ids are read from its manifest,
 * never written into a test.
 */
public final class TestModel {

  public static final Path DIR =
      Path.of(System.getProperty("aligncap.model.path", "models/scenes-v1"));
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestModel() {}

  public static JsonNode manifest() {
    return read(DIR.resolve("manifest.json"));
  }

  public static JsonNode golden() {
    return read(DIR.resolve("golden/golden.json"));
  }

  public static byte[] goldenImage(String file) {
    try {
      return Files.readAllBytes(DIR.resolve("golden").resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first golden image: a real picture the model was tested on. */
  public static byte[] sampleImage() {
    return goldenImage(golden().get("images").get(0).get("file").asText());
  }

  /** Copies the package into {@code to} so that a test can break the copy. */
  public static Path copyTo(Path to) throws IOException {
    try (Stream<Path> files = Files.walk(DIR)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(DIR.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }

  private static JsonNode read(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read " + file.toAbsolutePath() + " (is the model package there?)", e);
    }
  }
}
