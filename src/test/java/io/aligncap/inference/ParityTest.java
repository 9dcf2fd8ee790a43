package io.aligncap.inference;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.aligncap.image.DecodedImage;
import io.aligncap.model.Manifest;
import io.aligncap.testing.TestModel;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Parity of the service with the Python reference pipeline (training/aligncap/pipeline.py
 * OnnxPipeline) on every golden image of the package, photos included, decoded by the service's own
 * decoder with subsampling on (models/FORMAT.md preprocessing rules 1–4 are one definition):
 *
 * <ul>
 *   <li>the decoded pixels of each photo equal its {@code decoded} PNG exactly; the JDK's libjpeg
 *       6b (through TwelveMonkeys' {@code readRaster}) and Pillow's libjpeg-turbo agree bit for bit
 *       on these files, so no tolerance is allowed;
 *   <li>the model input ({@code preprocess}) is what Python fed: exactly, where the golden file
 *       carries it ({@code model_input}); always through b_v's norm and the detections, which are
 *       functions of it;
 *   <li>region boxes and scores, greedy and beam-3 token ids, word regions, strengths and MRF
 *       snippets, dense captions and box captions; numbers within the golden file's {@code
 *       tolerance} (float32 graphs on two ONNX Runtime builds and thread counts), ids exactly.
 * </ul>
 *
 * Mismatches are collected so that one run shows all of them.
 */
@QuarkusTest
class ParityTest {

  @Inject ServedModel served;

  final List<String> problems = new ArrayList<>();
  double tolerance;

  @Test
  void everyGoldenImageMatchesTheReferencePipeline() {
    JsonNode golden = TestModel.golden();
    tolerance = golden.path("tolerance").asDouble(1e-4);
    JsonNode images = golden.get("images");
    assertTrue(images.size() > 0, "the golden file has images");
    Pipeline pipeline = served.pipeline();
    int photos = 0;
    for (JsonNode g : images) {
      String file = g.get("file").asText();
      DecodedImage image = pipeline.decode(TestModel.goldenImage(file), null);
      same(file + " width", g.get("width").asInt(), image.sourceWidth());
      same(file + " height", g.get("height").asInt(), image.sourceHeight());
      if (g.hasNonNull("decoded")) {
        photos++;
        pixels(file + " decoded pixels", png(g.get("decoded").asText()), image);
      }
      ImageEncoder.Features f = pipeline.features(image);
      close(file + " image_bias_l2", g.get("image_bias_l2").asDouble(), l2(f.imageBias()));
      regions(file, g, f);
      captions(file, g, pipeline, image);
      for (JsonNode s : g.get("sentences")) {
        sentence(file, s, pipeline, image, f);
      }
      dense(file, g, pipeline, image, f);
      boxCaptions(file, g, pipeline, image);
    }
    assertTrue(photos > 0, "the golden file has encoded photos with their decoded pixels");
    assertTrue(
        problems.isEmpty(), problems.size() + " mismatches:\n" + String.join("\n", problems));
  }

  /**
   * The {@code preprocess} output is what the Python side fed to the image encoder: exactly where
   * the golden file carries that input ({@code model_input}, an S×S PNG), and in any case through
   * the figures computed from it alone (b_v's norm, region boxes and scores).
   */
  @Test
  void modelInputIsWhatPythonFed() {
    JsonNode golden = TestModel.golden();
    tolerance = golden.path("tolerance").asDouble(1e-4);
    Pipeline pipeline = served.pipeline();
    int side = pipeline.manifest().image().inputSize();
    for (JsonNode g : golden.get("images")) {
      String file = g.get("file").asText();
      DecodedImage image = pipeline.decode(TestModel.goldenImage(file), null);
      byte[] input = pipeline.modelInput(image);
      same(file + " model input bytes", side * side * 3, input.length);
      if (g.hasNonNull("model_input")) {
        pixels(
            file + " model input",
            png(g.get("model_input").asText()),
            DecodedImage.ofRgb(side, side, input));
      }
      ImageEncoder.Features f = pipeline.features(image);
      close(file + " image_bias_l2", g.get("image_bias_l2").asDouble(), l2(f.imageBias()));
      regions(file, g, f);
    }
    assertTrue(
        problems.isEmpty(), problems.size() + " mismatches:\n" + String.join("\n", problems));
  }

  private void regions(String file, JsonNode g, ImageEncoder.Features f) {
    same(file + " region count", g.get("region_scores").size(), f.regionScores().length);
    for (int i = 0; i < Math.min(g.get("region_scores").size(), f.regionScores().length); i++) {
      close(
          file + " region_scores[" + i + "]",
          g.get("region_scores").get(i).asDouble(),
          f.regionScores()[i]);
      for (int c = 0; c < 4; c++) {
        close(
            file + " region_boxes[" + i + "][" + c + "]",
            g.get("region_boxes").get(i).get(c).asDouble(),
            f.regionBoxes()[i][c]);
      }
    }
  }

  private void captions(String file, JsonNode g, Pipeline pipeline, DecodedImage image) {
    int maxLength = TestModel.golden().get("decoding").get("max_length").asInt();
    double alpha = TestModel.golden().get("decoding").get("alpha").asDouble();
    Caption greedy =
        caption(pipeline, image, new DecodingPlan(1, maxLength, alpha, 1, List.of(), false))
            .captions()
            .get(0);
    caption(file + " greedy", g.get("greedy"), greedy);
    List<Caption> beam =
        caption(pipeline, image, new DecodingPlan(3, maxLength, alpha, 3, List.of(), false))
            .captions();
    same(file + " beam3 count", g.get("beam3").size(), beam.size());
    for (int i = 0; i < Math.min(beam.size(), g.get("beam3").size()); i++) {
      caption(file + " beam3[" + i + "]", g.get("beam3").get(i), beam.get(i));
      close(
          file + " beam3[" + i + "] score",
          g.get("beam3").get(i).get("score").asDouble(),
          beam.get(i).score());
    }
  }

  private void sentence(
      String file, JsonNode s, Pipeline pipeline, DecodedImage image, ImageEncoder.Features f) {
    String raw = s.get("raw").asText();
    double beta = pipeline.manifest().alignment().mrfBeta();
    AlignmentResult a =
        pipeline.align(image, raw, pipeline.tokenize(raw), beta, new StageTimings(null));
    String what = file + " sentence \"" + raw + "\"";
    same(
        what + " tokens",
        ints(s.get("tokens")),
        a.words().stream().map(AlignmentResult.WordRegion::token).toList());
    close(what + " score", s.get("score").asDouble(), a.score());
    same(
        what + " word_regions",
        ints(s.get("word_regions")),
        a.words().stream().map(AlignmentResult.WordRegion::region).toList());
    for (int t = 0; t < Math.min(a.words().size(), s.get("word_strengths").size()); t++) {
      AlignmentResult.WordRegion w = a.words().get(t);
      close(
          what + " word_strengths[" + t + "]",
          s.get("word_strengths").get(t).asDouble(),
          w.strength());
      regionOf(what + " word " + t, w.region(), w.box(), w.score(), f, image);
    }
    List<String> want = new ArrayList<>();
    s.get("snippets")
        .forEach(
            x ->
                want.add(
                    x.get("start").asInt()
                        + "-"
                        + x.get("end").asInt()
                        + "@"
                        + x.get("region").asInt()));
    same(
        what + " snippets",
        want,
        a.snippets().stream().map(x -> x.start() + "-" + x.end() + "@" + x.region()).toList());
    for (Snippet x : a.snippets()) {
      regionOf(what + " snippet " + x.start(), x.region(), x.box(), x.score(), f, image);
    }
  }

  /** Dense captions: the same detections, best first, with the same captions. */
  private void dense(
      String file, JsonNode g, Pipeline pipeline, DecodedImage image, ImageEncoder.Features f) {
    Manifest m = pipeline.manifest();
    DecodingPlan plan =
        new DecodingPlan(1, m.decoder().maxLength(), 0.0, 1, List.of(), m.regionCaptions());
    List<DenseCaption> got = caption(pipeline, image, plan).denseCaptions();
    JsonNode want = g.get("dense_captions");
    if (!m.regionCaptions()) {
      same(file + " dense_captions without a region decoder", null, got);
      same(file + " golden dense_captions without a region decoder", 0, want.size());
      return;
    }
    same(file + " dense_captions count", want.size(), got.size());
    for (int k = 0; k < Math.min(want.size(), got.size()); k++) {
      JsonNode w = want.get(k);
      DenseCaption d = got.get(k);
      String what = file + " dense_captions[" + k + "]";
      close(what + " score", w.get("score").asDouble(), d.score());
      regionOf(what, w.get("region").asInt(), d.box(), d.score(), f, image);
      caption(what, w, d.caption());
    }
  }

  private void boxCaptions(String file, JsonNode g, Pipeline pipeline, DecodedImage image) {
    JsonNode want = g.get("box_captions");
    if (want == null || want.isEmpty()) {
      return;
    }
    List<double[]> boxes = new ArrayList<>();
    want.forEach(
        r -> {
          double[] b = new double[4];
          for (int c = 0; c < 4; c++) {
            b[c] = r.get("box").get(c).asDouble();
          }
          boxes.add(b);
        });
    List<Caption> got = pipeline.boxCaptions(image, boxes);
    for (int i = 0; i < boxes.size(); i++) {
      caption(file + " box " + Arrays.toString(boxes.get(i)), want.get(i), got.get(i));
    }
  }

  /** A reported region's box (pixels of the upright image) and score are region i's. */
  private void regionOf(
      String what, int i, double[] box, double score, ImageEncoder.Features f, DecodedImage image) {
    double[] want = Regions.pixels(f.regionBoxes()[i], image.sourceWidth(), image.sourceHeight());
    for (int c = 0; c < 4; c++) {
      double scale = c % 2 == 0 ? image.sourceWidth() : image.sourceHeight();
      close(what + " box[" + c + "] / size", want[c] / scale, box[c] / scale);
    }
    close(what + " region score", f.regionScores()[i], score);
  }

  private static CaptionResult caption(Pipeline pipeline, DecodedImage image, DecodingPlan plan) {
    return pipeline.caption(image, plan, new StageTimings(null));
  }

  private void caption(String what, JsonNode want, Caption got) {
    same(what + " tokens", ints(want.get("tokens")), Arrays.stream(got.tokens()).boxed().toList());
    close(what + " log_prob", want.get("log_prob").asDouble(), got.logProb());
    List<String> words = new ArrayList<>();
    want.get("words").forEach(w -> words.add(w.asText()));
    same(what + " words", words, got.words());
  }

  /** Exact equality of every sample; the first differences are named. */
  private void pixels(String what, BufferedImage want, DecodedImage got) {
    if (want.getWidth() != got.width() || want.getHeight() != got.height()) {
      problems.add(
          what
              + ": expected "
              + want.getWidth()
              + "x"
              + want.getHeight()
              + ", got "
              + got.width()
              + "x"
              + got.height());
      return;
    }
    int differing = 0;
    int max = 0;
    for (int y = 0; y < got.height(); y++) {
      for (int x = 0; x < got.width(); x++) {
        int[] rgb = want.getRaster().getPixel(x, y, (int[]) null);
        for (int c = 0; c < 3; c++) {
          int d = Math.abs(rgb[want.getRaster().getNumBands() == 1 ? 0 : c] - sample(got, x, y, c));
          differing += d == 0 ? 0 : 1;
          max = Math.max(max, d);
        }
      }
    }
    if (differing > 0) {
      problems.add(what + ": " + differing + " samples differ, by up to " + max);
    }
  }

  private static int sample(DecodedImage image, int x, int y, int c) {
    return image.rgb()[(y * image.width() + x) * 3 + c] & 0xFF;
  }

  private static BufferedImage png(String file) {
    try {
      return ImageIO.read(new ByteArrayInputStream(TestModel.goldenImage(file)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double l2(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    return Math.sqrt(sum);
  }

  private static List<Integer> ints(JsonNode array) {
    List<Integer> out = new ArrayList<>();
    array.forEach(x -> out.add(x.asInt()));
    return out;
  }

  private void same(String what, Object want, Object got) {
    if (want == null ? got != null : !want.equals(got)) {
      problems.add(what + ": expected " + want + ", got " + got);
    }
  }

  private void close(String what, double want, double got) {
    if (!(Math.abs(want - got) <= tolerance)) {
      problems.add(what + ": expected " + want + ", got " + got + " (tolerance " + tolerance + ")");
    }
  }
}
