package io.aligncap.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.aligncap.AligncapException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place where failures become HTTP responses: RFC 9457 {@code application/problem+json}
 * with the status the exception carries. 4xx are logged at debug, 5xx at warn, both with the
 * request id; a client never sees a stack trace.
 */
public class ProblemMapper {

  private static final Logger LOG = Logger.getLogger(ProblemMapper.class);
  static final String TYPE_PREFIX = "urn:aligncap:problem:";

  @ServerExceptionMapper
  public Response service(AligncapException e, ContainerRequestContext request) {
    return problem(e.kind().status, e.kind().title, e.getMessage(), request, e);
  }

  /** JAX-RS's own: 404, 405, 406, 415 for an unconsumed media type, 400 for a bad parameter. */
  @ServerExceptionMapper
  public Response web(WebApplicationException e, ContainerRequestContext request) {
    Response.StatusType status = e.getResponse().getStatusInfo();
    return problem(status.getStatusCode(), status.getReasonPhrase(), e.getMessage(), request, e);
  }

  @ServerExceptionMapper
  public Response json(JsonProcessingException e, ContainerRequestContext request) {
    return problem(
        400,
        "Malformed JSON",
        "the body is not valid JSON for this endpoint: " + e.getOriginalMessage(),
        request,
        e);
  }

  @ServerExceptionMapper
  public Response unexpected(Throwable e, ContainerRequestContext request) {
    return problem(
        500,
        "Internal error",
        "an unexpected error occurred; quote the request id when reporting it",
        request,
        e);
  }

  private static Response problem(
      int status, String title, String detail, ContainerRequestContext request, Throwable cause) {
    String id = RequestIds.of(request);
    String path = request == null ? null : request.getUriInfo().getPath();
    if (status >= 500 && !(cause instanceof AligncapException)) {
      LOG.warnf(cause, "request %s %s failed with %d", id, path, status); // unexpected: stack trace
    } else if (status >= 500) {
      LOG.warnf("request %s %s failed with %d: %s", id, path, status, detail);
    } else {
      LOG.debugf("request %s %s refused with %d: %s", id, path, status, detail);
    }
    String type = TYPE_PREFIX + title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    return Response.status(status)
        .type(Problem.MEDIA_TYPE)
        .header(RequestIds.HEADER, id)
        .entity(new Problem(type, title, status, detail, path, id))
        .build();
  }
}
