package io.aligncap.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aligncap.config.AligncapConfig;
import io.aligncap.image.DecodedImage;
import io.aligncap.model.Graph;
import io.aligncap.model.Manifest;
import io.aligncap.model.ModelPackage;
import io.aligncap.model.PackageSource;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The Java half of bench/stages.py (issue 12): the service's own stage classes, without Quarkus or
 * HTTP, timed one operation at a time on command. The driver writes one JSON command per line
 * ({@code {"op": "image_encoder", "images": ["..."], "n": 20}}) and reads one JSON line back with
 * each iteration's wall and thread-CPU nanoseconds, so that Python and Java alternate on the same
 * machine in one run. Configuration comes from {@code aligncap.*} system properties exactly as the
 * service reads it (e.g. {@code -Daligncap.inference.intra-op-threads=1}).
 *
 * <pre>
 * java -cp ... io.aligncap.inference.StageServer MODEL_DIR
 * </pre>
 */
public final class StageServer {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final AligncapConfig config;
  private final ModelPackage pkg;
  private final Pipeline pipeline;
  private final OnnxModel model;
  private final ImageEncoder images;
  private final DecoderStep decoder;
  private final SentenceEncoder sentences;
  private final BeamSearch beamSearch;

  StageServer(Path dir) {
    config = config();
    pkg = ModelPackage.load(PackageSource.directory(dir));
    pipeline = new Pipeline(pkg, config);
    model = new OnnxModel(pkg, config.inference());
    images = new ImageEncoder(model);
    Manifest m = pkg.manifest();
    decoder = new DecoderStep(model, Graph.DECODER, m.decoder(), null);
    sentences = new SentenceEncoder(model);
    var vocab = pkg.vocabulary();
    beamSearch = new BeamSearch(vocab.size(), vocab.startId(), vocab.endId(), vocab.neverEmitted());
  }

  /** {@code aligncap.*} from system properties and the mapping's defaults, as the service reads. */
  static AligncapConfig config() {
    SmallRyeConfig c =
        new SmallRyeConfigBuilder()
            .addDefaultSources()
            .withConverter(Duration.class, 200, new DurationConverter())
            .withConverter(MemorySize.class, 200, new MemorySizeConverter())
            .withMapping(AligncapConfig.class)
            .build();
    return c.getConfigMapping(AligncapConfig.class);
  }

  public static void main(String[] args) throws Exception {
    StageServer server = new StageServer(Path.of(args[0]));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    out.println(
        JSON.writeValueAsString(
            Map.of("ready", true, "onnxruntime", server.model.env().getVersion())));
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      JsonNode cmd = JSON.readTree(line);
      ObjectNode reply = JSON.createObjectNode();
      try {
        server.run(cmd, reply);
      } catch (RuntimeException e) {
        reply.put("error", e.toString());
      }
      out.println(JSON.writeValueAsString(reply));
    }
  }

  private void run(JsonNode cmd, ObjectNode reply) throws Exception {
    String op = cmd.get("op").asText();
    int n = cmd.path("n").asInt(1);
    List<Supplier<Object>> work = new ArrayList<>(); // one per image (or sentence), used in turn
    for (JsonNode image : cmd.path("images")) {
      work.add(prepare(op, cmd, Files.readAllBytes(Path.of(image.asText()))));
    }
    for (JsonNode sentence : cmd.path("sentences")) {
      work.add(() -> sentences.encode(List.of(pipeline.tokenize(sentence.asText()).ids())));
    }
    long[] wall = new long[n];
    long[] cpu = new long[n];
    List<Object> tokens = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long c0 = THREADS.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      Object result = work.get(i % work.size()).get();
      wall[i] = System.nanoTime() - t0;
      cpu[i] = THREADS.getCurrentThreadCpuTime() - c0;
      if (i < work.size() && result instanceof List<?> l && !l.isEmpty()) {
        if (l.get(0) instanceof BeamSearch.Hypothesis h) {
          tokens.add(h.tokens()); // the driver checks that both sides decoded the same
        }
      }
    }
    reply.putPOJO("wall_ns", wall);
    reply.putPOJO("cpu_ns", cpu);
    reply.putPOJO("tokens", tokens);
  }

  /** The timed work of {@code op} on one image; what it needs is computed here, untimed. */
  private Supplier<Object> prepare(String op, JsonNode cmd, byte[] bytes) {
    int beam = cmd.path("beam").asInt(3);
    int maxLength = pkg.manifest().decoder().maxLength();
    return switch (op) {
      case "decode" -> () -> pipeline.decode(bytes, null);
      case "preprocess" -> {
        DecodedImage image = pipeline.decode(bytes, null);
        yield () -> images.modelInput(image);
      }
      case "image_encoder" -> {
        byte[] input = images.modelInput(pipeline.decode(bytes, null));
        List<byte[]> inputs = java.util.Collections.nCopies(cmd.path("batch").asInt(1), input);
        yield () -> images.encode(inputs);
      }
      case "decoder_step" -> {
        BeamSearch.StepFunction f = decoder.forImage(bias(bytes));
        int hidden = pkg.manifest().decoder().hiddenSize();
        int states = pkg.manifest().decoder().stateNames().size();
        int[] tokens = new int[beam];
        java.util.Arrays.fill(tokens, pkg.vocabulary().startId());
        float[][][] s = new float[states][beam][hidden];
        yield () -> f.step(tokens, s, true);
      }
      case "beam_search" -> {
        float[] bias = bias(bytes);
        yield () -> beamSearch.search(decoder.forImage(bias), beam, maxLength, 0.0);
      }
      case "request" -> { // decode and every stage of a caption, as Captioner does
        DecodingPlan plan = new DecodingPlan(beam, maxLength, 0.0, 1, List.of(), false);
        yield () -> pipeline.caption(pipeline.decode(bytes, null), plan, new StageTimings(null));
      }
      default -> throw new IllegalArgumentException("unknown op " + op);
    };
  }

  private float[] bias(byte[] bytes) {
    return images.encode(pipeline.decode(bytes, null)).imageBias();
  }
}
