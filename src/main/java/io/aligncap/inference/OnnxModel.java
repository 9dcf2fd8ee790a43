package io.aligncap.inference;

import static io.aligncap.AligncapException.Kind.MODEL_PACKAGE;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.aligncap.AligncapException;
import io.aligncap.config.AligncapConfig;
import io.aligncap.model.Graph;
import io.aligncap.model.GraphContract;
import io.aligncap.model.Manifest;
import io.aligncap.model.ModelPackage;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The ONNX Runtime sessions of one model package, created once and shared by all threads ({@link
 * OrtSession#run} is thread-safe). Owns the native resources: closing it closes every session, and
 * any use after close fails loudly.
 */
final class OnnxModel implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(OnnxModel.class);

  private final ModelPackage pkg;
  private final OrtEnvironment env;
  private final OrtSession.SessionOptions options;
  private final ExecutionProviders.Choice providers;
  private final Map<Graph, OrtSession> sessions = new EnumMap<>(Graph.class);
  private volatile boolean closed;

  /**
   * Creates a session for every graph the package has and checks each against the manifest.
   *
   * @throws AligncapException (MODEL_PACKAGE) when a graph does not load or does not match the
   *     manifest
   */
  OnnxModel(ModelPackage pkg, AligncapConfig.Inference config) {
    this.pkg = pkg;
    this.env = OrtEnvironment.getEnvironment();
    try {
      options = new OrtSession.SessionOptions();
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.setIntraOpNumThreads(config.intraOpThreads());
      options.setInterOpNumThreads(config.interOpThreads());
      String spin = config.spinWait() ? "1" : "0";
      options.addConfigEntry("session.intra_op.allow_spinning", spin);
      options.addConfigEntry("session.inter_op.allow_spinning", spin);
    } catch (OrtException e) {
      throw new AligncapException(
          MODEL_PACKAGE, "cannot create ONNX Runtime session options: " + e.getMessage(), e);
    }
    providers = ExecutionProviders.configure(options, config.providers(), config.deviceId());
    try {
      for (Graph graph : Graph.values()) {
        if (pkg.manifest().has(graph)) {
          sessions.put(graph, open(graph));
        }
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    LOG.infof(
        "ONNX Runtime sessions ready for %s, providers %s",
        pkg.manifest().modelId(), providers.active());
  }

  private OrtSession open(Graph graph) {
    Manifest.GraphSpec spec = pkg.manifest().graph(graph);
    OrtSession session;
    try {
      session = env.createSession(pkg.graphBytes(graph), options);
    } catch (OrtException e) {
      throw new AligncapException(
          MODEL_PACKAGE, spec.file() + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
    }
    try {
      GraphContract.check(spec, actual(session.getInputInfo()), actual(session.getOutputInfo()));
    } catch (OrtException | RuntimeException e) {
      closeQuietly(session);
      if (e instanceof AligncapException m) {
        throw m;
      }
      throw new AligncapException(
          MODEL_PACKAGE,
          spec.file() + ": cannot inspect its inputs and outputs: " + e.getMessage(),
          e);
    }
    return session;
  }

  private static List<GraphContract.Actual> actual(Map<String, NodeInfo> infos) {
    List<GraphContract.Actual> out = new ArrayList<>();
    for (NodeInfo node : infos.values()) {
      if (node.getInfo() instanceof TensorInfo t) {
        out.add(new GraphContract.Actual(node.getName(), dtype(t.type), t.getShape()));
      } else {
        out.add(new GraphContract.Actual(node.getName(), "non-tensor", new long[0]));
      }
    }
    return out;
  }

  /** ONNX Runtime's Java type as the manifest spells it. */
  private static String dtype(OnnxJavaType type) {
    return switch (type) {
      case FLOAT -> "float32";
      case DOUBLE -> "float64";
      case FLOAT16 -> "float16";
      case INT64 -> "int64";
      case INT32 -> "int32";
      case UINT8 -> "uint8";
      case INT8 -> "int8";
      case BOOL -> "bool";
      default -> type.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  OrtEnvironment env() {
    return env;
  }

  /**
   * @throws IllegalStateException after {@link #close}, or for a graph the package does not have
   *     (callers check {@link io.aligncap.model.Manifest#regionCaptions} first)
   */
  OrtSession session(Graph graph) {
    if (closed) {
      throw new IllegalStateException("OnnxModel " + pkg.manifest().modelId() + " is closed");
    }
    OrtSession session = sessions.get(graph);
    if (session == null) {
      throw new IllegalStateException(
          "model " + pkg.manifest().modelId() + " has no " + graph + " graph");
    }
    return session;
  }

  ModelPackage modelPackage() {
    return pkg;
  }

  ExecutionProviders.Choice providers() {
    return providers;
  }

  @Override
  public void close() {
    closed = true;
    sessions.values().forEach(OnnxModel::closeQuietly);
    sessions.clear();
    try {
      options.close();
    } catch (RuntimeException e) {
      LOG.warnf("Closing session options failed: %s", e.getMessage());
    }
  }

  private static void closeQuietly(OrtSession session) {
    try {
      session.close();
    } catch (OrtException e) {
      LOG.warnf("Closing an ONNX Runtime session failed: %s", e.getMessage());
    }
  }
}
