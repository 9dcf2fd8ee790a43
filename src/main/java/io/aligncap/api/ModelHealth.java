package io.aligncap.api;

import io.aligncap.inference.ServedModel;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;

/**
 * The model's health checks, both read from {@link ServedModel#status()}: {@code /q/health/started}
 * is up once the package is loaded and its sessions exist (a slow start is not a dead process);
 * {@code /q/health/ready} once they are warmed by one inference and, in strict GPU mode ({@code
 * aligncap.inference.require-gpu}), only when a GPU provider is in use, so that a GPU pod never
 * takes traffic on CPU.
 */
@ApplicationScoped
public class ModelHealth {

  static final String NAME = "model";

  private final ServedModel served;

  ModelHealth(ServedModel served) {
    this.served = served;
  }

  @Produces
  @Readiness
  HealthCheck ready() {
    return () -> ready(served.status());
  }

  @Produces
  @Startup
  HealthCheck started() {
    return () -> started(served.status());
  }

  static HealthCheckResponse started(ServedModel.Status s) {
    return HealthCheckResponse.named(NAME).status(s.loaded()).build();
  }

  static HealthCheckResponse ready(ServedModel.Status s) {
    HealthCheckResponseBuilder b =
        HealthCheckResponse.named(NAME)
            .status(s.ready())
            .withData("loaded", s.loaded())
            .withData("warm", s.warm());
    if (s.provider() != null) {
      b.withData("provider", s.provider());
    }
    if (s.refusal() != null) {
      b.withData("reason", s.refusal());
    }
    return b.build();
  }
}
