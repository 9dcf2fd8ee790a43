package io.aligncap.model;

import static io.aligncap.AligncapException.Kind.MODEL_PACKAGE;
import static io.aligncap.testing.Failures.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aligncap.AligncapException;
import io.aligncap.testing.TestModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading the default package, and refusing broken copies of it with a message naming the file. */
class ModelPackageTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  static AligncapException refused(Path dir) {
    return assertFails(MODEL_PACKAGE, () -> ModelPackage.load(PackageSource.directory(dir)));
  }

  @Test
  void loadsTheDefaultPackage() {
    ModelPackage pkg = ModelPackage.load(PackageSource.directory(TestModel.DIR));
    assertEquals(TestModel.manifest().get("model_id").asText(), pkg.manifest().modelId());
    assertEquals(pkg.manifest().vocabulary().size(), pkg.vocabulary().size());
  }

  @Test
  void bundledCopyOnTheClassPathIsFoundWhenTheDirectoryIsNot() {
    assumeFalse(TestModel.DIR.isAbsolute(), "only the repository's own package is bundled");
    ClassLoader loader = getClass().getClassLoader();
    PackageSource source = ModelLocator.locate("classpath:" + TestModel.DIR, loader, List.of());
    assertTrue(source.describe().startsWith("classpath:"));
    ModelPackage.load(source);
    // a relative path that is missing on disk falls back to the same place on the class path
    assertTrue(
        ModelLocator.locate(TestModel.DIR.toString(), loader, List.of())
            .describe()
            .contains(TestModel.DIR.getFileName().toString()));
    AligncapException e =
        assertFails(
            MODEL_PACKAGE, () -> ModelLocator.locate("models/no-such-model", loader, List.of()));
    assertTrue(e.getMessage().contains("no-such-model"), e.getMessage());
  }

  @Test
  void alteredFileIsNamed() throws IOException {
    Path dir = TestModel.copyTo(tmp);
    String graph = TestModel.manifest().get("graphs").get("decoder").get("file").asText();
    byte[] bytes = Files.readAllBytes(dir.resolve(graph));
    bytes[bytes.length / 2] ^= 1;
    Files.write(dir.resolve(graph), bytes);
    AligncapException e = refused(dir);
    assertTrue(
        e.getMessage().contains(graph) && e.getMessage().contains("SHA-256"), e.getMessage());
  }

  @Test
  void truncatedOrMissingFileIsNamed() throws IOException {
    Path dir = TestModel.copyTo(tmp);
    String vocab = TestModel.manifest().get("vocabulary").get("file").asText();
    Files.write(dir.resolve(vocab), new byte[] {'{'});
    assertTrue(refused(dir).getMessage().contains(vocab + ": size is 1 bytes"));
    Files.delete(dir.resolve(vocab));
    assertTrue(refused(dir).getMessage().contains(vocab + ": cannot be read"));
  }

  @Test
  void formatVersionOneIsRefusedWithWhatToDo() throws IOException {
    for (Object version : new Object[] {1, "1.0", 3}) {
      Path dir = Files.createTempDirectory(tmp, "v");
      TestModel.copyTo(dir);
      ObjectNode manifest = (ObjectNode) JSON.readTree(dir.resolve("manifest.json").toFile());
      manifest.set("format_version", JSON.valueToTree(version));
      JSON.writeValue(dir.resolve("manifest.json").toFile(), manifest);
      AligncapException e = refused(dir);
      assertTrue(
          e.getMessage().contains("manifest.json: format_version is " + version)
              && e.getMessage().contains("format version 2 only")
              && e.getMessage().contains("re-export the model with `aligncap export`"),
          e.getMessage());
    }
  }

  @Test
  void packageWithoutRegionDecoderLoads() throws IOException {
    ModelPackage pkg =
        ModelPackage.load(PackageSource.directory(TestModel.withoutRegionDecoder(tmp)));
    assertFalse(pkg.manifest().regionCaptions());
    assertFalse(pkg.manifest().has(Graph.REGION_DECODER));
  }

  @Test
  void regionBiasWithoutRegionDecoderIsRefused() throws IOException {
    Path dir = TestModel.copyTo(tmp);
    ObjectNode manifest = (ObjectNode) JSON.readTree(dir.resolve("manifest.json").toFile());
    manifest.remove("region_decoder");
    ((ObjectNode) manifest.get("graphs")).remove("region_decoder");
    JSON.writeValue(dir.resolve("manifest.json").toFile(), manifest);
    AligncapException e = refused(dir);
    assertTrue(e.getMessage().contains("no \"region_bias\" outputs"), e.getMessage());
  }

  @Test
  void regionsThatAreNotDetectionsPlusTheWholeImageAreRefused() throws IOException {
    Path dir = TestModel.copyTo(tmp);
    ObjectNode manifest = (ObjectNode) JSON.readTree(dir.resolve("manifest.json").toFile());
    ObjectNode regions = (ObjectNode) manifest.get("regions");
    regions.put("whole_image_index", 0);
    JSON.writeValue(dir.resolve("manifest.json").toFile(), manifest);
    AligncapException e = refused(dir);
    assertTrue(e.getMessage().contains("regions.whole_image_index is 0"), e.getMessage());
  }

  @Test
  void inconsistentManifestIsRefused() throws IOException {
    Path dir = TestModel.copyTo(tmp);
    ObjectNode manifest = (ObjectNode) JSON.readTree(dir.resolve("manifest.json").toFile());
    ((ObjectNode) manifest.get("vocabulary"))
        .put("size", manifest.get("vocabulary").get("size").asInt() + 1);
    JSON.writeValue(dir.resolve("manifest.json").toFile(), manifest);
    AligncapException e = refused(dir);
    assertTrue(e.getMessage().contains("log_probs"), e.getMessage());
  }
}
