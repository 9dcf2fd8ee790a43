package io.aligncap.api;

import static io.aligncap.AligncapException.Kind.UNAUTHORIZED;

import io.aligncap.AligncapException;
import io.aligncap.config.AligncapConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Optional API-key check for the {@code /v1} API (container mode): when {@code aligncap.api.key} is
 * set, a request must carry it in {@code aligncap.api.key-header}. Compared in constant time so the
 * key cannot be guessed byte by byte from response times. Health, metrics and OpenAPI under {@code
 * /q} stay open for probes and scrapers.
 */
public class ApiKeyFilter {

  private final Optional<byte[]> key;
  private final String header;

  ApiKeyFilter(AligncapConfig config) {
    this.key =
        config.api().key().filter(k -> !k.isEmpty()).map(k -> k.getBytes(StandardCharsets.UTF_8));
    this.header = config.api().keyHeader();
  }

  @ServerRequestFilter
  public void check(ContainerRequestContext request) {
    if (key.isEmpty()) {
      return;
    }
    String given = request.getHeaderString(header);
    byte[] presented = given == null ? new byte[0] : given.getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(key.get(), presented)) {
      throw new AligncapException(UNAUTHORIZED, "missing or wrong API key in header " + header);
    }
  }
}
