package io.aligncap.api;

import io.aligncap.inference.ReadinessState;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * {@code /q/health/ready}: up once the model is loaded and warmed by one inference, and — in
 * strict GPU mode ({@code aligncap.inference.require-gpu}) — only when a GPU provider is in use,
 * so that a GPU pod never takes traffic on CPU.
 */
@Readiness
@ApplicationScoped
public class ModelReadinessCheck implements HealthCheck {

  static final String NAME = "model";

  private final ReadinessState state;

  public ModelReadinessCheck(ReadinessState state) {
    this.state = state;
  }

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder b =
        HealthCheckResponse.named(NAME)
            .status(state.ready())
            .withData("loaded", state.loaded())
            .withData("warm", state.warm());
    if (state.provider() != null) {
      b.withData("provider", state.provider());
    }
    if (state.refusal() != null) {
      b.withData("reason", state.refusal());
    }
    return b.build();
  }
}
