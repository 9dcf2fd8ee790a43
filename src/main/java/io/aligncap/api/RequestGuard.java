package io.aligncap.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aligncap.AligncapException;
import io.aligncap.config.AligncapConfig;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.impl.RoutingContextInternal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The HTTP layer under JAX-RS (issue 11): Vert.x routes that run before any resource. They give
 * every request its {@link RequestIds id}, refuse a URL over {@code aligncap.api.max-url-length}
 * and a body over {@code quarkus.http.limits.max-body-size} with RFC 9457 problems (Quarkus's own
 * answers there are an empty 413 and 414), read the API's non-multipart bodies on the event loop
 * with that limit and within the {@link BodyBudget} (multipart forms are streamed to disk by
 * Quarkus REST, also on the event loop), so a slow upload holds no worker thread, and close an
 * upload still unfinished after {@code aligncap.api.upload-timeout} with a 408. A body without a
 * content type is taken as bytes, so that the image is sniffed rather than refused.
 */
@ApplicationScoped
public class RequestGuard {

  /** Before Quarkus's upload limit ({@code RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT}, -2). */
  static final int ORDER_LIMITS = -3;

  /** After it, before Quarkus REST. */
  static final int ORDER_BODY = -1;

  static final String TOO_LARGE = "Request too large";
  static final String URI_TOO_LONG = "URI too long";
  static final String UPLOAD_TIMEOUT = "Upload too slow";

  private static final Logger LOG = Logger.getLogger(RequestGuard.class);

  private final long maxBodyBytes;
  private final int maxUrlLength;
  private final long uploadTimeoutMillis;
  private final ObjectMapper json;
  private final BodyBudget budget;

  RequestGuard(
      AligncapConfig config,
      ObjectMapper json,
      BodyBudget budget,
      @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody) {
    this.maxBodyBytes = maxBody.asLongValue();
    this.maxUrlLength = config.api().maxUrlLength();
    this.uploadTimeoutMillis = config.api().uploadTimeout().toMillis();
    this.json = json;
    this.budget = budget;
  }

  void routes(@Observes Router router) {
    router.route().order(ORDER_LIMITS).handler(this::limits);
    router
        .route("/v1/*")
        .order(ORDER_BODY)
        .handler(
            ctx -> {
              HttpServerRequest request = ctx.request();
              if (readsItsOwnBody(request) || request.isEnded() || contentLength(request) == 0) {
                ctx.next(); // (an ended request signals no end to wait for)
              } else {
                readBody(ctx);
              }
            });
  }

  /** Largest accepted body, {@code quarkus.http.limits.max-body-size}. */
  long maxBodyBytes() {
    return maxBodyBytes;
  }

  private void limits(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String id = RequestIds.resolve(request.getHeader(RequestIds.HEADER));
    request.headers().set(RequestIds.HEADER, id);
    // on every answer, once, whoever writes it (Quarkus REST adds its own copy: set replaces it)
    ctx.addHeadersEndHandler(v -> ctx.response().headers().set(RequestIds.HEADER, id));
    if (request.uri().length() > maxUrlLength) {
      refuse(
          ctx,
          414,
          URI_TOO_LONG,
          "the URL has "
              + request.uri().length()
              + " characters, at most "
              + maxUrlLength
              + " are accepted: send long sentences and candidates in a JSON or multipart body");
      return;
    }
    long length = contentLength(request);
    if (length > maxBodyBytes) {
      refuse(ctx, 413, TOO_LARGE, tooLarge(length + " bytes"));
      return;
    }
    if (request.getHeader(HttpHeaders.CONTENT_TYPE) == null && mayHaveBody(request)) {
      // RFC 9110 §8.3: a body without a type may be taken as bytes; the image format is sniffed.
      // (Lambda HTTP events may carry a body without a length header, so the method decides.)
      request.headers().set(HttpHeaders.CONTENT_TYPE, "application/octet-stream");
    }
    if (length > 0 || request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
      deadline(ctx);
    }
    ctx.next();
  }

  private static boolean mayHaveBody(HttpServerRequest request) {
    HttpMethod m = request.method();
    return m == HttpMethod.POST || m == HttpMethod.PUT || m == HttpMethod.PATCH;
  }

  /** Multipart forms are parsed by Quarkus REST itself (streamed to files, with the same limit). */
  private static boolean readsItsOwnBody(HttpServerRequest request) {
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    return type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/");
  }

  /**
   * Reads a JSON or raw body into memory as Vert.x's BodyHandler does (the body Quarkus REST then
   * reads), each chunk taken from the {@link BodyBudget} as it arrives and all of it given back
   * when the request ends: a 413 past the body limit, a 503 with {@code Retry-After} when the
   * bodies in progress hold the whole budget.
   */
  private void readBody(RoutingContext ctx) {
    new BodyRead(ctx).start();
  }

  /** One body being read; its chunks arrive on the request's event loop. */
  private final class BodyRead {
    private final RoutingContext ctx;
    private final AtomicLong held = new AtomicLong();
    private Buffer body = Buffer.buffer(); // null once refused or broken off

    BodyRead(RoutingContext ctx) {
      this.ctx = ctx;
    }

    void start() {
      HttpServerRequest request = ctx.request();
      ctx.addEndHandler(x -> giveBack()); // answered, failed or closed
      request.handler(this::chunk);
      request.endHandler(this::end);
      request.exceptionHandler(this::brokenOff);
      request.resume();
    }

    private void chunk(Buffer chunk) {
      if (body == null) {
        return;
      }
      long size = body.length() + (long) chunk.length();
      if (size <= maxBodyBytes && budget.take(chunk.length())) {
        held.addAndGet(chunk.length());
        body.appendBuffer(chunk);
        return;
      }
      body = null;
      giveBack();
      if (size > maxBodyBytes) {
        refuse(ctx, 413, TOO_LARGE, tooLarge("more than " + maxBodyBytes + " bytes"));
        return;
      }
      AligncapException overloaded = budget.overloaded();
      overloaded
          .retryAfter()
          .ifPresent(d -> ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "" + d.toSeconds()));
      refuse(ctx, 503, overloaded.kind().title, overloaded.getMessage());
    }

    private void end(Void v) {
      if (body != null) {
        // what Vert.x's BodyHandler does: Quarkus REST reads RoutingContext.body()
        ((RoutingContextInternal) ctx).setBody(body);
        ctx.next();
      }
    }

    private void brokenOff(Throwable e) {
      body = null; // the end handler gives the bytes back
      LOG.debugf(
          "request %s %s: the upload broke off (%s)",
          ctx.request().getHeader(RequestIds.HEADER), ctx.request().path(), e);
    }

    private void giveBack() {
      budget.give(held.getAndSet(0));
    }
  }

  private String tooLarge(String size) {
    return "the request body is "
        + size
        + ", at most "
        + maxBodyBytes
        + " bytes are accepted (quarkus.http.limits.max-body-size); send a smaller image";
  }

  /**
   * Ends an upload still unfinished after the timeout: a 408 problem, then the connection is closed
   * (a client that sends a byte now and then would otherwise hold it for ever).
   */
  private void deadline(RoutingContext ctx) {
    long timer =
        ctx.vertx()
            .setTimer(
                uploadTimeoutMillis,
                t -> {
                  HttpServerRequest request = ctx.request();
                  if (request.isEnded()) {
                    return;
                  }
                  LOG.debugf(
                      "request %s %s: upload unfinished after %d ms, closing",
                      request.getHeader(RequestIds.HEADER), request.path(), uploadTimeoutMillis);
                  HttpServerResponse response = ctx.response();
                  if (response.ended() || response.closed() || response.headWritten()) {
                    request.connection().close();
                    return;
                  }
                  response.putHeader(HttpHeaders.CONNECTION, "close");
                  write(
                          ctx,
                          408,
                          UPLOAD_TIMEOUT,
                          "the request body was not complete after "
                              + uploadTimeoutMillis
                              + " ms (aligncap.api.upload-timeout); send it faster")
                      .onComplete(x -> request.connection().close());
                });
    ctx.addEndHandler(x -> ctx.vertx().cancelTimer(timer));
  }

  /**
   * Answers with a problem and reads (and drops) the rest of the body, up to four times the body
   * limit, so that the client sees the answer instead of a reset connection; past that, or after
   * the upload timeout, the connection is closed.
   */
  private void refuse(RoutingContext ctx, int status, String title, String detail) {
    HttpServerRequest request = ctx.request();
    if (!request.isEnded()) {
      long[] drained = {0};
      request.handler(
          chunk -> {
            drained[0] += chunk.length();
            if (drained[0] > 4 * maxBodyBytes) {
              request.connection().close();
            }
          });
      request.exceptionHandler(e -> LOG.debugf("while dropping a refused body: %s", e));
      request.resume();
      deadline(ctx);
    }
    write(ctx, status, title, detail);
  }

  private io.vertx.core.Future<Void> write(
      RoutingContext ctx, int status, String title, String detail) {
    HttpServerRequest request = ctx.request();
    String id = request.getHeader(RequestIds.HEADER);
    LOG.debugf("request %s %s refused with %d: %s", id, request.path(), status, detail);
    Problem problem = Problem.of(status, title, detail, request.path(), id);
    Buffer body;
    try {
      body = Buffer.buffer(json.writeValueAsBytes(problem));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a problem does not serialise", e);
    }
    return ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
        .end(body);
  }

  private static long contentLength(HttpServerRequest request) {
    String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1; // the HTTP codec refuses a malformed length before any route runs
    }
  }
}
