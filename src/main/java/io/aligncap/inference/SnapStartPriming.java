package io.aligncap.inference;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.jboss.logging.Logger;

/**
 * SnapStart priming (issue 12): a CRaC {@code beforeCheckpoint} hook that runs one inference on
 * every graph just before Lambda takes the snapshot, so that a restored function starts with the
 * JIT's compiled code, ONNX Runtime's arenas and every class a caption touches already in memory.
 * Registered after the model is loaded and warmed ({@link ServedModel} observes start-up first).
 * Outside a CRaC-capable runtime (containers, a plain JVM) {@code org.crac} falls back to a context
 * that never calls it, so it costs nothing there.
 */
@ApplicationScoped
public class SnapStartPriming implements Resource {

  private static final Logger LOG = Logger.getLogger(SnapStartPriming.class);

  private final ServedModel served;

  SnapStartPriming(ServedModel served) {
    this.served = served;
  }

  void onStart(@Observes @Priority(2) StartupEvent event) {
    // the global context keeps resources weakly: this bean is held by its CDI context
    Core.getGlobalContext().register(this);
  }

  @Override
  public void beforeCheckpoint(Context<? extends Resource> context) {
    long start = System.nanoTime();
    served.prime();
    LOG.infof("Primed for the snapshot in %d ms", (System.nanoTime() - start) / 1_000_000);
  }

  @Override
  public void afterRestore(Context<? extends Resource> context) {
    LOG.info("Restored from the snapshot");
  }
}
