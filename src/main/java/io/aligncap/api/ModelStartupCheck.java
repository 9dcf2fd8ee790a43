package io.aligncap.api;

import io.aligncap.inference.ReadinessState;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/**
 * {@code /q/health/started}: up once the model package is loaded and its sessions exist, so a
 * slow start is not mistaken for a dead process.
 */
@Startup
@ApplicationScoped
public class ModelStartupCheck implements HealthCheck {

  private final ReadinessState state;

  public ModelStartupCheck(ReadinessState state) {
    this.state = state;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named(ModelReadinessCheck.NAME).status(state.loaded()).build();
  }
}
