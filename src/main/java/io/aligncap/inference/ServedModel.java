package io.aligncap.inference;

import static io.aligncap.AligncapException.Kind.NOT_READY;

import io.aligncap.AligncapException;
import io.aligncap.config.AligncapConfig;
import io.aligncap.model.Manifest;
import io.aligncap.model.ModelFetcher;
import io.aligncap.model.ModelLocator;
import io.aligncap.model.ModelPackage;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

/**
 * The one owner of the model being served. At start-up (before any other start-up work, so no
 * worker polls for events first) it resolves {@code aligncap.model.path} (a directory, the class
 * path or {@code s3://}), loads and verifies the package, opens its sessions with the configured
 * execution providers and warms them with one inference; a broken package fails start-up. It holds
 * the provider in use and whether the service may take traffic. Health checks, {@code GET
 * /v1/models}, the event results and {@link Captioner} read it; nothing else loads a package or
 * holds a session.
 */
@ApplicationScoped
public class ServedModel {

  private static final Logger LOG = Logger.getLogger(ServedModel.class);

  /**
   * Whether the service may take traffic.
   *
   * @param loaded the package is verified and its sessions exist
   * @param warm one inference has run on every graph
   * @param provider the execution provider that runs the graphs, or null before the sessions
   * @param refusal why the service refuses traffic although loaded (strict GPU mode on CPU)
   */
  public record Status(boolean loaded, boolean warm, String provider, String refusal) {

    static final Status STARTING = new Status(false, false, null, null);

    public boolean ready() {
      return loaded && warm && refusal == null;
    }
  }

  private final AligncapConfig config;
  private final Instance<ModelFetcher> fetchers;
  private volatile Pipeline pipeline;
  private volatile String location;
  private volatile Status status = Status.STARTING;

  ServedModel(AligncapConfig config, Instance<ModelFetcher> fetchers) {
    this.config = config;
    this.fetchers = fetchers;
  }

  void onStart(@Observes @Priority(1) StartupEvent event) {
    start();
  }

  synchronized void start() {
    if (pipeline != null) {
      return;
    }
    long begin = System.nanoTime();
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    ModelPackage pkg =
        ModelPackage.load(
            ModelLocator.locate(config.model().path(), loader, fetchers.stream().toList()));
    Manifest m = pkg.manifest();
    LOG.infof(
        "Model %s %s loaded and verified from %s in %d ms",
        m.modelId(), m.modelVersion(), pkg.location(), (System.nanoTime() - begin) / 1_000_000);
    Pipeline p = new Pipeline(pkg, config);
    ExecutionProviders.Choice providers = p.providers();
    String refusal = null;
    if (config.inference().requireGpu() && !providers.gpu()) {
      refusal =
          "aligncap.inference.require-gpu is set but no GPU provider could be added "
              + providers.skipped();
      LOG.error(refusal);
    }
    pipeline = p;
    location = pkg.location();
    status = new Status(true, false, providers.primary(), refusal);
    if (config.inference().warmUp()) {
      p.warmUp();
    }
    status = new Status(true, true, providers.primary(), refusal);
    LOG.infof(
        "Model %s %s ready on %s in %d ms",
        m.modelId(),
        m.modelVersion(),
        providers.primary(),
        (System.nanoTime() - begin) / 1_000_000);
  }

  /**
   * Runs the warm-up inference again (SnapStart priming, just before the snapshot: the JIT's code,
   * ONNX Runtime's arenas and every class a caption touches are then in it).
   *
   * @throws AligncapException (NOT_READY) before the model is loaded
   */
  void prime() {
    loaded().warmUp();
  }

  public Status status() {
    return status;
  }

  /**
   * The served package's manifest (its id and version name event results).
   *
   * @throws AligncapException (NOT_READY) before the package is loaded
   */
  public Manifest manifest() {
    return loaded().manifest();
  }

  /** The model as {@code GET /v1/models} shows it. */
  public ModelInfo info() {
    return ModelInfo.of(manifest(), location, status);
  }

  /**
   * The pipeline to run a request on.
   *
   * @throws AligncapException (NOT_READY) before warm-up, or in strict GPU mode without a GPU
   */
  Pipeline pipeline() {
    Pipeline p = pipeline;
    Status s = status;
    if (p == null || !s.ready()) {
      throw notReady(s);
    }
    return p;
  }

  private Pipeline loaded() {
    Pipeline p = pipeline;
    if (p == null) {
      throw notReady(status);
    }
    return p;
  }

  private static AligncapException notReady(Status s) {
    return new AligncapException(
        NOT_READY, s.refusal() != null ? s.refusal() : "the model is still loading or warming up");
  }

  @PreDestroy
  synchronized void close() {
    if (pipeline != null) {
      pipeline.close();
      pipeline = null;
      status = Status.STARTING;
    }
  }
}
