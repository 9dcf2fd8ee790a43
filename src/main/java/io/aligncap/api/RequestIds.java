package io.aligncap.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Gives every request an id (the client's {@code X-Request-Id} when it is a sane token, else a new
 * UUID), echoed in the response header and in problem bodies and log lines, so a client's report
 * can be matched with the server's log. {@link RequestGuard} assigns it first, below JAX-RS, so
 * that answers given there carry it too; these filters keep it for the resources.
 */
public class RequestIds {

  public static final String HEADER = "X-Request-Id";
  static final String PROPERTY = "aligncap.request-id";
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  /** The client's id when it is a sane token, else a new UUID. */
  static String resolve(String given) {
    return given != null && SANE.matcher(given).matches() ? given : UUID.randomUUID().toString();
  }

  @ServerRequestFilter(preMatching = true)
  public void assign(ContainerRequestContext request) {
    request.setProperty(PROPERTY, resolve(request.getHeaderString(HEADER)));
  }

  @ServerResponseFilter
  public void echo(ContainerRequestContext request, ContainerResponseContext response) {
    Object id = request.getProperty(PROPERTY);
    if (id != null) {
      response.getHeaders().putSingle(HEADER, id);
    }
  }

  static String of(ContainerRequestContext request) {
    Object id = request == null ? null : request.getProperty(PROPERTY);
    return id != null ? id.toString() : UUID.randomUUID().toString();
  }
}
