package io.aligncap.inference;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.aligncap.image.DecodedImage;
import io.aligncap.image.ImageDecoder;
import io.aligncap.image.ImageLimits;
import io.aligncap.testing.TestModel;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Parity of {@link Pipeline} with the Python reference pipeline (training/aligncap/pipeline.py
 * OnnxPipeline) on every golden image of the default package: the same token ids for greedy and
 * beam-3 decoding and for region captions, scores and log-probabilities within the golden file's
 * tolerance, the same word regions and MRF snippets. Mismatches are collected so that one run shows
 * all of them.
 */
@QuarkusTest
class ParityTest {

  @Inject ServedModel served;

  /**
   * The reference feeds every pixel of the golden PNG to the image encoder; the service's default
   * decoder may subsample a large image (FORMAT.md allows it), so parity decodes without that.
   */
  final ImageDecoder decoder =
      new ImageDecoder(
          new ImageLimits(
              Long.MAX_VALUE,
              Integer.MAX_VALUE,
              Integer.MAX_VALUE,
              Long.MAX_VALUE,
              Integer.MAX_VALUE));

  final List<String> problems = new ArrayList<>();
  double tolerance;

  @Test
  void everyGoldenImageMatchesTheReferenceDecoder() {
    JsonNode golden = TestModel.golden();
    tolerance = golden.path("tolerance").asDouble(1e-4);
    int maxLength = golden.get("decoding").get("max_length").asInt();
    double alpha = golden.get("decoding").get("alpha").asDouble();
    JsonNode images = golden.get("images");
    assertTrue(images.size() > 0, "the golden file has images");
    Pipeline pipeline = served.pipeline();
    for (JsonNode g : images) {
      String file = g.get("file").asText();
      DecodedImage image = decoder.decode(TestModel.goldenImage(file), "image/png");
      same(file + " width", g.get("width").asInt(), image.width());
      same(file + " height", g.get("height").asInt(), image.height());

      Caption greedy =
          caption(pipeline, image, new DecodingPlan(1, maxLength, alpha, 1, List.of())).get(0);
      caption(file + " greedy", g.get("greedy"), greedy);

      List<Caption> beam =
          caption(pipeline, image, new DecodingPlan(3, maxLength, alpha, 3, List.of()));
      same(file + " beam3 count", g.get("beam3").size(), beam.size());
      for (int i = 0; i < Math.min(beam.size(), g.get("beam3").size()); i++) {
        caption(file + " beam3[" + i + "]", g.get("beam3").get(i), beam.get(i));
        close(
            file + " beam3[" + i + "] score",
            g.get("beam3").get(i).get("score").asDouble(),
            beam.get(i).score());
      }

      for (JsonNode s : g.get("sentences")) {
        String raw = s.get("raw").asText();
        AlignmentResult a =
            pipeline.align(image, raw, pipeline.tokenize(raw), new StageTimings(null));
        String what = file + " sentence \"" + s.get("raw").asText() + "\"";
        same(
            what + " tokens",
            ints(s.get("tokens")),
            a.words().stream().map(AlignmentResult.WordRegion::token).toList());
        close(what + " score", s.get("score").asDouble(), a.score());
        same(
            what + " word_regions",
            ints(s.get("word_regions")),
            a.words().stream().map(AlignmentResult.WordRegion::region).toList());
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
      }

      JsonNode regions = g.get("region_captions");
      if (regions != null && regions.size() > 0) {
        List<double[]> boxes = new ArrayList<>();
        regions.forEach(
            r ->
                boxes.add(
                    new double[] {
                      r.get("box").get(0).asDouble(), r.get("box").get(1).asDouble(),
                      r.get("box").get(2).asDouble(), r.get("box").get(3).asDouble()
                    }));
        List<Caption> got = pipeline.regionCaptions(image, boxes);
        for (int i = 0; i < boxes.size(); i++) {
          caption(file + " region " + Arrays.toString(boxes.get(i)), regions.get(i), got.get(i));
        }
      }
    }
    assertTrue(
        problems.isEmpty(), problems.size() + " mismatches:\n" + String.join("\n", problems));
  }

  private static List<Caption> caption(Pipeline pipeline, DecodedImage image, DecodingPlan plan) {
    return pipeline.caption(image, plan, new StageTimings(null)).captions();
  }

  private void caption(String what, JsonNode want, Caption got) {
    same(what + " tokens", ints(want.get("tokens")), Arrays.stream(got.tokens()).boxed().toList());
    close(what + " log_prob", want.get("log_prob").asDouble(), got.logProb());
    List<String> words = new ArrayList<>();
    want.get("words").forEach(w -> words.add(w.asText()));
    same(what + " words", words, got.words());
  }

  private static List<Integer> ints(JsonNode array) {
    List<Integer> out = new ArrayList<>();
    array.forEach(x -> out.add(x.asInt()));
    return out;
  }

  private void same(String what, Object want, Object got) {
    if (!want.equals(got)) {
      problems.add(what + ": expected " + want + ", got " + got);
    }
  }

  private void close(String what, double want, double got) {
    if (!(Math.abs(want - got) <= tolerance)) {
      problems.add(what + ": expected " + want + ", got " + got + " (tolerance " + tolerance + ")");
    }
  }
}
