package io.aligncap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The AWS region moved from {@code aligncap.events.aws.region} to {@code aligncap.aws.region}
 * (issue 10); deployments that still set {@code ALIGNCAP_EVENTS_AWS_REGION} keep their region.
 */
class AwsRegionKeyTest {

  static Optional<String> region(Map<String, String> env) throws IOException {
    URL properties = AwsRegionKeyTest.class.getResource("/application.properties");
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .addDefaultInterceptors() // ${...} expressions, as in Quarkus
            .withSources(new PropertiesConfigSource(properties, 250))
            .withSources(new EnvConfigSource(env, 300))
            .withConverter(
                Duration.class, 200, new DurationConverter()) // "60s", as Quarkus reads it
            .withMapping(AligncapConfig.class)
            .build();
    return config.getConfigMapping(AligncapConfig.class).aws().region();
  }

  @Test
  void theOldEnvironmentVariableStillSetsTheRegion() throws IOException {
    assertEquals(
        Optional.of("eu-west-1"), region(Map.of("ALIGNCAP_EVENTS_AWS_REGION", "eu-west-1")));
    assertEquals(Optional.of("us-east-2"), region(Map.of("ALIGNCAP_AWS_REGION", "us-east-2")));
    assertEquals(Optional.empty(), region(Map.of()));
  }
}
