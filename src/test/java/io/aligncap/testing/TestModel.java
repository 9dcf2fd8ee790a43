package io.aligncap.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * The default model package the tests run against (models/scenes-v2 from the repository root, where
 * Maven runs the tests; {@code -Daligncap.model.path=DIR} points the tests and the service at
 * another package), and its golden parity file. Sizes, names and ids are read from its manifest,
 * never written into a test.
 */
public final class TestModel {

  public static final Path DIR =
      Path.of(System.getProperty("aligncap.model.path", "models/scenes-v2"));
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
    try (Stream<Path> files = Files.walk(DIR, FileVisitOption.FOLLOW_LINKS)) { // DIR may be a link
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

  /**
   * A copy of the package as a model trained without region captions would export it
   * (models/FORMAT.md): no {@code region_decoder} key or graph, no {@code region_bias} outputs.
   */
  public static Path withoutRegionDecoder(Path to) throws IOException {
    copyTo(to);
    ObjectNode m = (ObjectNode) read(to.resolve("manifest.json"));
    ObjectNode graphs = (ObjectNode) m.get("graphs");
    ObjectNode files = (ObjectNode) m.get("files");
    String regionDecoder = graphs.get("region_decoder").get("file").asText();
    files.remove(regionDecoder);
    Files.delete(to.resolve(regionDecoder));
    graphs.remove("region_decoder");
    m.remove("region_decoder");
    for (String graph : new String[] {"image_encoder", "box_encoder"}) {
      ObjectNode g = (ObjectNode) graphs.get(graph);
      ArrayNode outputs = (ArrayNode) g.get("outputs");
      for (int i = outputs.size() - 1; i >= 0; i--) {
        if (outputs.get(i).get("name").asText().equals("region_bias")) {
          outputs.remove(i);
        }
      }
      Path file = to.resolve(g.get("file").asText());
      byte[] bytes = OnnxOutputs.drop(Files.readAllBytes(file), "region_bias");
      Files.write(file, bytes);
      ObjectNode entry = (ObjectNode) files.get(g.get("file").asText());
      entry.put("bytes", bytes.length);
      entry.put("sha256", sha256(bytes));
    }
    JSON.writerWithDefaultPrettyPrinter().writeValue(to.resolve("manifest.json").toFile(), m);
    return to;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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
