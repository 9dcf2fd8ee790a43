package io.aligncap.api.lambda;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the Lambda HTTP package only (API Gateway HTTP API / function URLs). */
@ConfigMapping(prefix = "aligncap.lambda-http")
public interface LambdaHttpConfig {

  /**
   * Largest request body accepted. Lambda's synchronous invocation payload is at most 6 MB and API
   * Gateway sends binary bodies base64-encoded (4 bytes per 3), so about 4.4 MB of raw image is
   * what fits with the event's headers around it.
   */
  @WithDefault("4400000")
  long maxBodyBytes();
}
