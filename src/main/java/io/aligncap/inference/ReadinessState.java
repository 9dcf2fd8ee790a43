package io.aligncap.inference;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Whether the service may take traffic: the model loaded, its sessions warmed by one inference,
 * and (in strict GPU mode) a GPU provider in use. Read by the readiness check and by
 * {@link Captioner} before each request.
 */
@ApplicationScoped
public class ReadinessState {

  private volatile boolean loaded;
  private volatile boolean warm;
  private volatile String provider;
  private volatile String refusal;

  /** Ready: loaded, warm, and no refusal. */
  public boolean ready() {
    return loaded && warm && refusal == null;
  }

  public boolean loaded() {
    return loaded;
  }

  public boolean warm() {
    return warm;
  }

  /** The execution provider in use, or null before the sessions exist. */
  public String provider() {
    return provider;
  }

  /** Why the service refuses traffic although loaded (strict GPU mode on CPU), or null. */
  public String refusal() {
    return refusal;
  }

  void markLoaded(String provider) {
    this.provider = provider;
    this.loaded = true;
  }

  void markWarm() {
    this.warm = true;
  }

  void refuse(String reason) {
    this.refusal = reason;
  }
}
