package io.aligncap.inference;

import static io.aligncap.AligncapException.Kind.MODEL_PACKAGE;
import static io.aligncap.testing.Failures.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aligncap.AligncapException;
import io.aligncap.config.AligncapConfig;
import io.aligncap.model.Graph;
import io.aligncap.model.ModelPackage;
import io.aligncap.model.PackageSource;
import io.aligncap.testing.TestModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/** Sessions against the manifest, provider fallback (or CUDA under -Pgpu), and use after close. */
class OnnxModelTest {

  @TempDir Path tmp;

  static AligncapConfig.Inference inference(String... providers) {
    return new AligncapConfig.Inference() {
      public List<String> providers() {
        return List.of(providers);
      }

      public boolean requireGpu() {
        return false;
      }

      public int deviceId() {
        return 0;
      }

      public int intraOpThreads() {
        return 1;
      }

      public int interOpThreads() {
        return 1;
      }

      public boolean spinWait() {
        return false;
      }

      public boolean warmUp() {
        return true;
      }
    };
  }

  @Test
  @DisabledIfSystemProperty(named = "USE_CUDA", matches = "1")
  void cudaIsSkippedOnTheCpuJarAndCpuRuns() {
    try (OnnxModel model =
        new OnnxModel(
            ModelPackage.load(PackageSource.directory(TestModel.DIR)),
            inference("cuda", "tensorrt", "cpu"))) {
      assertEquals("cpu", model.providers().primary());
      assertEquals(2, model.providers().skipped().size(), model.providers().skipped().toString());
      model.close();
      assertThrows(IllegalStateException.class, () -> model.session(Graph.DECODER));
    }
  }

  @Test
  @EnabledIfSystemProperty(named = "USE_CUDA", matches = "1")
  void cudaRunsTheGraphsOnTheGpuJar() {
    try (OnnxModel model =
        new OnnxModel(
            ModelPackage.load(PackageSource.directory(TestModel.DIR)), inference("cuda", "cpu"))) {
      assertEquals("cuda", model.providers().primary(), model.providers().skipped().toString());
    }
  }

  @Test
  void packageWithoutRegionDecoderOpensItsGraphs() throws IOException {
    ModelPackage pkg =
        ModelPackage.load(PackageSource.directory(TestModel.withoutRegionDecoder(tmp)));
    try (OnnxModel model = new OnnxModel(pkg, inference("cpu"))) {
      assertThrows(IllegalStateException.class, () -> model.session(Graph.REGION_DECODER));
      model.session(Graph.BOX_ENCODER); // checked against its manifest: no region_bias
    }
  }

  @Test
  void graphThatDiffersFromItsManifestIsNamed() throws IOException {
    Path dir = TestModel.copyTo(tmp);
    ObjectMapper json = new ObjectMapper();
    ObjectNode manifest = (ObjectNode) json.readTree(dir.resolve("manifest.json").toFile());
    // an input the graph does not have: consistent as a manifest, wrong for the graph
    ArrayNode inputs = (ArrayNode) manifest.get("graphs").get("decoder").get("inputs");
    inputs.addObject().put("name", "temperature").put("dtype", "float32").putArray("shape");
    json.writeValue(dir.resolve("manifest.json").toFile(), manifest);
    ModelPackage pkg = ModelPackage.load(PackageSource.directory(dir)); // files and hashes are fine
    AligncapException e = assertFails(MODEL_PACKAGE, () -> new OnnxModel(pkg, inference("cpu")));
    String file = manifest.get("graphs").get("decoder").get("file").asText();
    assertTrue(
        e.getMessage().startsWith(file + ": inputs are")
            && e.getMessage().contains("the manifest declares")
            && e.getMessage().contains("temperature"),
        e.getMessage());
  }
}
