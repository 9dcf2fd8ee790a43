package io.aligncap.model;

import static io.aligncap.AligncapException.Kind.MODEL_PACKAGE;

import io.aligncap.AligncapException;
import io.aligncap.config.AligncapConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

/**
 * Holds the model package the service runs: located from {@code aligncap.model.path}, read and
 * verified once. The inference core loads it at start-up, so a broken package fails start-up.
 */
@ApplicationScoped
public class ModelRegistry {

  private static final Logger LOG = Logger.getLogger(ModelRegistry.class);

  private final AligncapConfig config;
  private final Instance<ModelFetcher> fetchers;
  private volatile ModelPackage current;

  ModelRegistry(AligncapConfig config, Instance<ModelFetcher> fetchers) {
    this.config = config;
    this.fetchers = fetchers;
  }

  /**
   * The loaded package (loading it on first use).
   *
   * @throws AligncapException (MODEL_PACKAGE) when the package is missing or does not verify
   */
  public ModelPackage current() {
    ModelPackage pkg = current;
    if (pkg == null) {
      synchronized (this) {
        pkg = current;
        if (pkg == null) {
          pkg = load();
          current = pkg;
        }
      }
    }
    return pkg;
  }

  /** The loaded package's manifest. */
  public Manifest manifest() {
    return current().manifest();
  }

  /** Whether a package has been loaded and verified. */
  public boolean isLoaded() {
    return current != null;
  }

  private ModelPackage load() {
    long start = System.nanoTime();
    PackageSource source =
        ModelLocator.locate(
            config.model().path(),
            Thread.currentThread().getContextClassLoader(),
            fetchers.stream().toList());
    ModelPackage pkg = ModelPackage.load(source);
    LOG.infof(
        "Model %s %s loaded and verified from %s in %d ms",
        pkg.manifest().modelId(),
        pkg.manifest().modelVersion(),
        pkg.location(),
        (System.nanoTime() - start) / 1_000_000);
    return pkg;
  }
}
