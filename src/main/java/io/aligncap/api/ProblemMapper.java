package io.aligncap.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.aligncap.AligncapException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.core.multipart.MultipartParser;

/**
 * The one place where failures inside JAX-RS become HTTP responses: RFC 9457 {@code
 * application/problem+json} with the status the exception carries and a detail that says what to
 * send instead. 4xx are logged at debug, 5xx at warn, both with the request id; a client never sees
 * a stack trace. (Below JAX-RS, {@link RequestGuard} answers the same way.)
 */
public class ProblemMapper {

  private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

  static final String MALFORMED_JSON = "Malformed JSON";
  static final String MALFORMED_FORM = "Malformed form";
  static final String MALFORMED_REQUEST = "Malformed request";

  /** JSON type names by the Java types of the request records. */
  private static final Map<Class<?>, String> JSON_TYPES =
      Map.of(
          String.class, "a string",
          Integer.class, "an integer",
          Double.class, "a number",
          Boolean.class, "true or false",
          List.class, "an array",
          double[].class, "an array of numbers");

  @ServerExceptionMapper
  public Response service(AligncapException e, ContainerRequestContext request) {
    Response.ResponseBuilder r =
        problem(e.kind().status, e.kind().title, e.getMessage(), request, e);
    e.retryAfter().ifPresent(d -> r.header(HttpHeaders.RETRY_AFTER, d.toSeconds()));
    return r.build();
  }

  /**
   * JAX-RS's own: 404, 405 (with an {@code Allow} header, which Quarkus REST leaves out), 406, 415
   * for an unconsumed media type, 413 from the multipart parser, 400 for a body that could not be
   * read.
   */
  @ServerExceptionMapper
  public Response web(WebApplicationException e, ContainerRequestContext request) {
    if (e.getCause() instanceof JsonProcessingException json) {
      return json(json, request);
    }
    Response.StatusType status = e.getResponse().getStatusInfo();
    int code = status.getStatusCode();
    String title = code == 413 ? RequestGuard.TOO_LARGE : status.getReasonPhrase();
    Response.ResponseBuilder r = problem(code, title, detail(code, e, request), request, e);
    if (code == 405 && request != null) {
      AllowedMethods.of(request.getUriInfo().getPath())
          .ifPresent(a -> r.header(HttpHeaders.ALLOW, a));
    }
    return r.build();
  }

  /**
   * Type mismatches ({@code "beam_size": "abc"}, a top-level array): declared for this subtype so
   * that it wins over Quarkus's built-in mapper, which answers an empty 400.
   */
  @ServerExceptionMapper
  public Response mismatch(MismatchedInputException e, ContainerRequestContext request) {
    return json(e, request);
  }

  @ServerExceptionMapper
  public Response json(JsonProcessingException e, ContainerRequestContext request) {
    return problem(400, MALFORMED_JSON, jsonDetail(e), request, e).build();
  }

  /**
   * A body that ended early or a multipart form that does not parse (the parser reports both as I/O
   * errors), including a client that closed the connection mid-upload: the client's doing, so a 400
   * logged at debug, not a stack trace.
   */
  @ServerExceptionMapper
  public Response io(IOException e, ContainerRequestContext request) {
    boolean form = isForm(request);
    String detail =
        form
            ? "the multipart/form-data body could not be parsed ("
                + e.getMessage()
                + "): each part needs a Content-Disposition header, and the body must end with the"
                + " closing boundary"
            : "the request body could not be read (" + e.getMessage() + ")";
    return problem(400, form ? MALFORMED_FORM : MALFORMED_REQUEST, detail, request, e).build();
  }

  /** Quarkus REST's multipart parser on a body that breaks the multipart syntax (issue 15). */
  @ServerExceptionMapper
  public Response malformedForm(
      MultipartParser.MalformedMessageException e, ContainerRequestContext request) {
    return problem(
            400,
            MALFORMED_FORM,
            "the multipart/form-data body could not be parsed: each part needs a"
                + " Content-Disposition header, parts are separated by the boundary of the"
                + " Content-Type header, and the body ends with the closing boundary",
            request,
            e)
        .build();
  }

  @ServerExceptionMapper
  public Response unexpected(Throwable e, ContainerRequestContext request) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    if (message.startsWith("Param limit of")) {
      // Quarkus REST's form parser: more parts than quarkus.http.limits.max-parameters
      return problem(
              413,
              RequestGuard.TOO_LARGE,
              "the form has too many parts ("
                  + message
                  + "): send the image and the options, each once (repeated fields count once"
                  + " per value)",
              request,
              e)
          .build();
    }
    return problem(
            500,
            "Internal error",
            "an unexpected error occurred; quote the request id when reporting it",
            request,
            e)
        .build();
  }

  private static String detail(int code, WebApplicationException e, ContainerRequestContext r) {
    String method = r == null ? "?" : r.getMethod();
    String path = r == null ? "?" : r.getUriInfo().getPath();
    return switch (code) {
      case 404 -> "there is no resource at " + path + "; the API is described at /q/openapi";
      case 405 ->
          method
              + " is not allowed on "
              + path
              + "; allowed: "
              + AllowedMethods.of(path).orElse("see /q/openapi");
      case 406 ->
          "the answer is application/json (errors application/problem+json), which the Accept"
              + " header ("
              + (r == null ? null : r.getHeaderString(HttpHeaders.ACCEPT))
              + ") does not allow";
      case 415 ->
          "the body is "
              + (r == null ? null : r.getHeaderString(HttpHeaders.CONTENT_TYPE))
              + "; send the image itself (image/jpeg, image/png, image/webp, image/gif,"
              + " image/bmp or application/octet-stream), a multipart/form-data form or"
              + " application/json";
      case 413 ->
          "the request body is over a limit ("
              + e.getMessage()
              + "); send a smaller image (quarkus.http.limits.max-body-size)";
      default -> e.getMessage();
    };
  }

  /** Where in the body and what was expected, in JSON's terms rather than Java's. */
  private static String jsonDetail(JsonProcessingException e) {
    if (e instanceof MismatchedInputException m) {
      String field = field(m);
      String expected = expected(m.getTargetType());
      if (field.isEmpty()) {
        return "the body must be " + (expected == null ? "a JSON object" : expected);
      }
      return "\""
          + field
          + "\" must be "
          + (expected == null ? "of another type" : expected)
          + " ("
          + m.getOriginalMessage()
          + ")";
    }
    String where =
        e.getLocation() == null
            ? ""
            : " at line "
                + e.getLocation().getLineNr()
                + ", column "
                + e.getLocation().getColumnNr();
    return "the body is not valid JSON" + where + ": " + e.getOriginalMessage();
  }

  private static String field(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  private static String expected(Class<?> type) {
    if (type == null) {
      return null;
    }
    if (type.isRecord()) {
      return "a JSON object";
    }
    if (Collection.class.isAssignableFrom(type)) {
      return "an array";
    }
    return JSON_TYPES.get(type);
  }

  private static boolean isForm(ContainerRequestContext request) {
    MediaType type = request == null ? null : request.getMediaType();
    return type != null && type.isCompatible(MediaType.MULTIPART_FORM_DATA_TYPE);
  }

  private static Response.ResponseBuilder problem(
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
    return Response.status(status)
        .type(Problem.MEDIA_TYPE)
        .header(RequestIds.HEADER, id)
        .entity(Problem.of(status, title, detail, path, id));
  }
}
