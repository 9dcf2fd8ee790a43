package io.aligncap.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aligncap.image.DecodedImage;
import io.aligncap.image.ImageDecoder;
import io.aligncap.image.ImageLimits;
import io.aligncap.model.ModelPackage;
import io.aligncap.model.PackageSource;
import io.aligncap.testing.TestModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image encoder's batch axis (models/FORMAT.md: "batch" for the scene detector, fixed at 1 for
 * the pretrained torchvision front end): never more images per run than the manifest allows, and a
 * batched run gives each image what a run of its own gives.
 */
class ImageEncoderTest {

  @TempDir Path tmp;

  @Test
  void runsAreAtMostTheAllowedBatch() {
    assertEquals(List.of(), ImageEncoder.runs(0, 1));
    assertEquals("[[0, 1], [1, 2], [2, 3]]", str(ImageEncoder.runs(3, 1)));
    assertEquals("[[0, 2], [2, 3]]", str(ImageEncoder.runs(3, 2)));
    assertEquals("[[0, 3]]", str(ImageEncoder.runs(3, Integer.MAX_VALUE)));
  }

  @Test
  void theBatchAxisIsReadFromTheManifest() throws IOException {
    ModelPackage dynamic = ModelPackage.load(PackageSource.directory(TestModel.DIR));
    long declared =
        TestModel.manifest()
            .at("/graphs/image_encoder/inputs/0/shape/0")
            .asLong(-1); // "batch" reads as -1
    assertEquals(
        declared < 0 ? Integer.MAX_VALUE : (int) declared, dynamic.manifest().maxImageBatch());
    assertEquals(
        1, ModelPackage.load(PackageSource.directory(fixedBatch())).manifest().maxImageBatch());
  }

  @Test
  void aBatchGivesEachImageItsOwnFeatures() throws IOException {
    for (Path dir : List.of(TestModel.DIR, fixedBatch())) {
      ModelPackage pkg = ModelPackage.load(PackageSource.directory(dir));
      try (OnnxModel model = new OnnxModel(pkg, OnnxModelTest.inference("cpu"))) {
        ImageEncoder encoder = new ImageEncoder(model);
        byte[] a = encoder.modelInput(golden(pkg, 0));
        byte[] b = encoder.modelInput(golden(pkg, 1));
        List<ImageEncoder.Features> batch = encoder.encode(List.of(a, b, a));
        assertEquals(3, batch.size());
        same(encoder.encode(List.of(a)).get(0), batch.get(0));
        same(encoder.encode(List.of(b)).get(0), batch.get(1));
        same(batch.get(0), batch.get(2));
      }
    }
  }

  /** A copy whose image_encoder input is declared with a batch of 1, as the torchvision one is. */
  private Path fixedBatch() throws IOException {
    Path dir = TestModel.copyTo(tmp.resolve("fixed-batch"));
    ObjectMapper json = new ObjectMapper();
    ObjectNode m = (ObjectNode) json.readTree(dir.resolve("manifest.json").toFile());
    ArrayNode shape = (ArrayNode) m.at("/graphs/image_encoder/inputs/0/shape");
    shape.set(0, json.getNodeFactory().numberNode(1));
    json.writeValue(dir.resolve("manifest.json").toFile(), m);
    return dir;
  }

  private static DecodedImage golden(ModelPackage pkg, int i) {
    String file = TestModel.golden().get("images").get(i).get("file").asText();
    ImageDecoder decoder =
        new ImageDecoder(
            new ImageLimits(
                Long.MAX_VALUE,
                Integer.MAX_VALUE,
                Integer.MAX_VALUE,
                Long.MAX_VALUE,
                pkg.manifest().image().maxSubsampleSide()));
    return decoder.decode(TestModel.goldenImage(file), null);
  }

  private static void same(ImageEncoder.Features want, ImageEncoder.Features got) {
    assertArrayEquals(want.imageBias(), got.imageBias(), 1e-5f);
    assertArrayEquals(want.regionScores(), got.regionScores(), 1e-5f);
    for (int i = 0; i < want.regionBoxes().length; i++) {
      assertArrayEquals(want.regionBoxes()[i], got.regionBoxes()[i], 1e-5f);
      assertArrayEquals(want.regionEmbeddings()[i], got.regionEmbeddings()[i], 1e-5f);
    }
    assertArrayEquals(want.featureMap(), got.featureMap(), 1e-5f);
  }

  private static String str(List<int[]> runs) {
    return runs.stream().map(java.util.Arrays::toString).toList().toString();
  }
}
