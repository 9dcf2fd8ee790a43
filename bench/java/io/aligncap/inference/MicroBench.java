package io.aligncap.inference;

import io.aligncap.image.DecodedImage;
import io.aligncap.image.ImageDecoder;
import io.aligncap.image.ImageLimits;
import io.aligncap.model.Manifest;
import io.aligncap.model.ModelPackage;
import io.aligncap.model.PackageSource;
import io.aligncap.model.Vocabulary;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH micro-benchmarks of the Java-only parts (issue 12): beam search over a toy decoder (the
 * search's own cost, no ONNX Runtime), decoding and pre-processing an image, and the tensor copies
 * a request makes. The model package is {@code -Daligncap.model.path} (default models/scenes-v2),
 * the image {@code -Dbench.image}. Run by bench/jmh.sh, which prints the exact command.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MicroBench {

  /** Beam search with a step function that returns fixed pseudo-random log-probabilities. */
  @State(Scope.Benchmark)
  public static class Search {
    @Param({"1", "3", "7"})
    int beam;

    BeamSearch search;
    BeamSearch.StepFunction step;
    int maxLength;

    @Setup
    public void setUp() {
      ModelPackage pkg = ModelPackage.load(PackageSource.directory(modelDir()));
      Manifest m = pkg.manifest();
      Vocabulary v = pkg.vocabulary();
      int vocab = v.size();
      int hidden = m.decoder().hiddenSize();
      maxLength = m.decoder().maxLength();
      search = new BeamSearch(vocab, v.startId(), v.endId(), v.neverEmitted());
      Random random = new Random(12);
      float[][] table = new float[64][vocab];
      for (float[] row : table) {
        double sum = 0;
        for (int t = 0; t < vocab; t++) {
          row[t] = (float) -random.nextDouble() * 8;
          sum += Math.exp(row[t]);
        }
        for (int t = 0; t < vocab; t++) {
          row[t] -= (float) Math.log(sum); // log-softmax
        }
        row[v.endId()] = -20f; // END is unlikely: captions run to max length, the worst case
      }
      step =
          new BeamSearch.StepFunction() {
            @Override
            public float[][][] initialState() {
              return new float[1][1][hidden];
            }

            @Override
            public BeamSearch.Step step(int[] tokens, float[][][] states, boolean first) {
              float[][] lp = new float[tokens.length][];
              for (int b = 0; b < tokens.length; b++) {
                lp[b] = table[(tokens[b] * 31 + b) & 63];
              }
              return new BeamSearch.Step(lp, states);
            }
          };
    }
  }

  @Benchmark
  public List<BeamSearch.Hypothesis> beamSearch(Search s) {
    return s.search.search(s.step, s.beam, s.maxLength, 0.0);
  }

  /** Decoding (rules 1-4) and the {@code preprocess} graph (rule 5) of one image. */
  @State(Scope.Benchmark)
  public static class Preprocessing {
    byte[] bytes;
    ImageDecoder decoder;
    OnnxModel model;
    ImageEncoder encoder;
    DecodedImage decoded;

    @Setup
    public void setUp() throws Exception {
      ModelPackage pkg = ModelPackage.load(PackageSource.directory(modelDir()));
      bytes = Files.readAllBytes(Path.of(System.getProperty("bench.image")));
      decoder =
          new ImageDecoder(
              new ImageLimits(
                  Long.MAX_VALUE,
                  Integer.MAX_VALUE,
                  Integer.MAX_VALUE,
                  Long.MAX_VALUE,
                  pkg.manifest().image().maxSubsampleSide()));
      model = new OnnxModel(pkg, StageServer.config().inference());
      encoder = new ImageEncoder(model);
      decoded = decoder.decode(bytes, null);
    }

    @TearDown
    public void tearDown() {
      model.close();
    }
  }

  @Benchmark
  public DecodedImage decode(Preprocessing p) {
    return p.decoder.decode(p.bytes, null);
  }

  @Benchmark
  public byte[] preprocessGraph(Preprocessing p) {
    return p.encoder.modelInput(p.decoded);
  }

  /**
   * The copies around a graph call: an image encoder input into a reused native buffer (what the
   * service does) against a fresh direct buffer per call (what a heap array given to ONNX Runtime
   * costs), and the decoder's log-probabilities of 7 beams back into rows. Sizes are the model's:
   * the S × S × 3 input and the vocabulary.
   */
  @State(Scope.Benchmark)
  public static class Copies {
    byte[] input;
    ByteBuffer reused;
    ByteBuffer logProbs;
    float[][] rows;

    @Setup(Level.Trial)
    public void setUp() {
      Manifest m = ModelPackage.load(PackageSource.directory(modelDir())).manifest();
      int side = m.image().inputSize();
      int vocab = m.vocabulary().size();
      input = new byte[side * side * 3];
      new Random(1).nextBytes(input);
      reused = ByteBuffer.allocateDirect(input.length).order(ByteOrder.nativeOrder());
      logProbs = ByteBuffer.allocateDirect(7 * vocab * 4).order(ByteOrder.nativeOrder());
      rows = new float[7][vocab];
    }
  }

  @Benchmark
  public ByteBuffer inputIntoReusedBuffer(Copies c) {
    return Scratch.head(c.reused, c.input.length).put(c.input).flip();
  }

  @Benchmark
  public ByteBuffer inputIntoFreshDirectBuffer(Copies c) {
    return ByteBuffer.allocateDirect(c.input.length)
        .order(ByteOrder.nativeOrder())
        .put(c.input)
        .flip();
  }

  @Benchmark
  public float[][] logProbsIntoRows(Copies c) {
    var f = c.logProbs.asFloatBuffer();
    int vocab = c.rows[0].length;
    for (int r = 0; r < c.rows.length; r++) {
      f.get(r * vocab, c.rows[r]);
    }
    return c.rows;
  }

  static Path modelDir() {
    return Path.of(System.getProperty("aligncap.model.path", "models/scenes-v2"));
  }
}
