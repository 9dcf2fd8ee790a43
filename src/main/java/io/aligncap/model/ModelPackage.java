package io.aligncap.model;

import static io.aligncap.AligncapException.Kind.MODEL_PACKAGE;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.aligncap.AligncapException;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A model package read and checked against models/FORMAT.md: the manifest's format and version (2,
 * and only 2), the byte size and SHA-256 of every listed file, the vocabulary, and the manifest's
 * internal consistency ({@link ManifestCheck}). Graph names and shapes are checked against the real
 * ONNX Runtime sessions when those are created ({@link GraphContract}).
 */
public final class ModelPackage {

  static final String MANIFEST = "manifest.json";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final PackageSource source;
  private final Manifest manifest;
  private final Vocabulary vocabulary;

  private ModelPackage(PackageSource source, Manifest manifest, Vocabulary vocabulary) {
    this.source = source;
    this.manifest = manifest;
    this.vocabulary = vocabulary;
  }

  /**
   * Reads and verifies the package.
   *
   * @throws AligncapException (MODEL_PACKAGE) naming the file and the problem when anything does
   *     not match
   */
  public static ModelPackage load(PackageSource source) {
    Manifest manifest = parseManifest(source);
    checkFormat(source, manifest);
    verifyFiles(source, manifest);
    ManifestCheck.check(manifest);
    Vocabulary vocabulary = readVocabulary(source, manifest);
    return new ModelPackage(source, manifest, vocabulary);
  }

  public Manifest manifest() {
    return manifest;
  }

  public Vocabulary vocabulary() {
    return vocabulary;
  }

  /** Where the package was read from. */
  public String location() {
    return source.describe();
  }

  /**
   * The bytes of a graph file (e.g. {@code decoder}), verified again against the manifest so that a
   * file replaced after start-up checks is still caught.
   */
  public byte[] graphBytes(Graph graph) {
    String file = manifest.graph(graph).file();
    byte[] bytes = readFile(source, file);
    verify(source, file, manifest.files().get(file), bytes);
    return bytes;
  }

  private static Manifest parseManifest(PackageSource source) {
    byte[] bytes = readFile(source, MANIFEST);
    try {
      return JSON.readValue(bytes, Manifest.class);
    } catch (IOException e) {
      throw invalid(source, MANIFEST, "not a valid manifest: " + e.getMessage(), e);
    }
  }

  private static void checkFormat(PackageSource source, Manifest manifest) {
    if (!Manifest.FORMAT.equals(manifest.format())) {
      throw invalid(
          source,
          MANIFEST,
          "format is \"" + manifest.format() + "\", expected \"" + Manifest.FORMAT + "\"");
    }
    String version = manifest.formatVersion();
    if (!String.valueOf(Manifest.FORMAT_VERSION).equals(version)) {
      throw invalid(
          source,
          MANIFEST,
          "format_version is "
              + version
              + ", this service reads format version "
              + Manifest.FORMAT_VERSION
              + " only (models/FORMAT.md): re-export the model with `aligncap export`");
    }
    if (manifest.files() == null || manifest.files().isEmpty()) {
      throw invalid(source, MANIFEST, "\"files\" is missing or empty");
    }
  }

  private static void verifyFiles(PackageSource source, Manifest manifest) {
    for (Map.Entry<String, Manifest.FileEntry> e : manifest.files().entrySet()) {
      verify(source, e.getKey(), e.getValue(), readFile(source, e.getKey()));
    }
    for (Graph graph : Graph.values()) {
      if (!graph.required && !manifest.has(graph)) {
        continue;
      }
      String file = manifest.graph(graph).file();
      if (!manifest.files().containsKey(file)) {
        throw invalid(source, MANIFEST, "graph file " + file + " is not listed in \"files\"");
      }
    }
  }

  private static void verify(
      PackageSource source, String file, Manifest.FileEntry entry, byte[] bytes) {
    if (entry == null) {
      throw invalid(source, file, "not listed in manifest \"files\"");
    }
    if (bytes.length != entry.bytes()) {
      throw invalid(
          source, file, "size is " + bytes.length + " bytes, the manifest says " + entry.bytes());
    }
    String actual = sha256(bytes);
    if (!actual.equalsIgnoreCase(String.valueOf(entry.sha256()))) {
      throw invalid(source, file, "SHA-256 is " + actual + ", the manifest says " + entry.sha256());
    }
  }

  private static Vocabulary readVocabulary(PackageSource source, Manifest manifest) {
    Manifest.VocabularySpec spec = manifest.vocabulary();
    JsonNode tokens;
    try {
      tokens = JSON.readTree(readFile(source, spec.file())).get("tokens");
    } catch (JsonProcessingException e) {
      throw invalid(source, spec.file(), "not valid JSON", e);
    } catch (IOException e) {
      throw invalid(source, spec.file(), "unreadable", e);
    }
    if (tokens == null || !tokens.isArray()) {
      throw invalid(source, spec.file(), "expected {\"tokens\": [...]} at the top level");
    }
    List<String> list = new ArrayList<>(tokens.size());
    tokens.forEach(t -> list.add(t.asText()));
    try {
      return new Vocabulary(
          list, spec.size(), spec.padId(), spec.startId(), spec.endId(), spec.unkId());
    } catch (IllegalArgumentException e) {
      throw invalid(source, spec.file(), e.getMessage(), e);
    }
  }

  private static byte[] readFile(PackageSource source, String file) {
    try {
      return source.read(file);
    } catch (IOException e) {
      throw invalid(source, file, "cannot be read (" + e + ")", e);
    }
  }

  private static AligncapException invalid(PackageSource source, String file, String problem) {
    return invalid(source, file, problem, null);
  }

  private static AligncapException invalid(
      PackageSource source, String file, String problem, Throwable cause) {
    return new AligncapException(MODEL_PACKAGE, where(source, file) + ": " + problem, cause);
  }

  static String where(PackageSource source, String file) {
    return source.describe() + (source.describe().endsWith("/") ? "" : "/") + file;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM provides SHA-256", e);
    }
  }
}
