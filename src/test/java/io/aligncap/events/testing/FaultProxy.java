package io.aligncap.events.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A real HTTP proxy in front of a test server (moto's S3, ElasticMQ's SQS) that forwards every
 * request unchanged, except those matching an armed fault, which it answers itself: S3's {@code 503
 * SlowDown} a few times, {@code 403 AccessDenied} for one key, an SQS 500 for DeleteMessage... The
 * service under test talks to the proxy; the test talks to the server.
 */
public final class FaultProxy implements AutoCloseable {

  /** What the proxy sees of a request. */
  public record Request(String method, String path, String query, String target) {
    public boolean pathContains(String s) {
      return path.contains(s);
    }
  }

  private record Delay(Predicate<Request> when, java.time.Duration delay) {}

  private record Fault(Predicate<Request> when, int status, String body, AtomicInteger left) {}

  private static final Set<String> RESTRICTED =
      Set.of("connection", "content-length", "expect", "host", "upgrade", "transfer-encoding");

  private final URI target;
  private final HttpServer server;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<Fault> faults = new CopyOnWriteArrayList<>();
  private final List<Request> seen = new CopyOnWriteArrayList<>();
  private final List<Delay> delays = new CopyOnWriteArrayList<>();

  public FaultProxy(URI target) {
    this.target = target;
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.setExecutor(Executors.newFixedThreadPool(16));
    server.createContext("/", this::handle);
    server.start();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Answers the next {@code times} matching requests with {@code status} and {@code body}. */
  public void fail(Predicate<Request> when, int times, int status, String body) {
    faults.add(new Fault(when, status, body, new AtomicInteger(times)));
  }

  /** S3's throttling answer, {@code times} times. */
  public void slowDown(Predicate<Request> when, int times) {
    fail(when, times, 503, s3Error("SlowDown", "Please reduce your request rate."));
  }

  /** S3's access-denied answer, until {@link #clear()}. */
  public void deny(Predicate<Request> when) {
    fail(when, Integer.MAX_VALUE, 403, s3Error("AccessDenied", "Access Denied"));
  }

  /** Holds matching requests for {@code delay} before forwarding them (slow S3, long work). */
  public void delay(Predicate<Request> when, java.time.Duration delay) {
    delays.add(new Delay(when, delay));
  }

  public void clear() {
    delays.clear();
    faults.clear();
    seen.clear();
  }

  /** Requests seen since the last {@link #clear()} that match. */
  public long count(Predicate<Request> p) {
    return seen.stream().filter(p).count();
  }

  public static String s3Error(String code, String message) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>"
        + code
        + "</Code><Message>"
        + message
        + "</Message><RequestId>fault-proxy</RequestId></Error>";
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      URI uri = ex.getRequestURI();
      Request req =
          new Request(
              ex.getRequestMethod(),
              uri.getRawPath(),
              uri.getRawQuery() == null ? "" : uri.getRawQuery(),
              String.valueOf(ex.getRequestHeaders().getFirst("X-Amz-Target")));
      seen.add(req);
      byte[] body = readAll(ex.getRequestBody());
      for (Fault f : faults) {
        if (f.when().test(req) && f.left().getAndDecrement() > 0) {
          respond(ex, f.status(), f.body().getBytes(StandardCharsets.UTF_8), "application/xml");
          return;
        }
      }
      for (Delay d : delays) {
        if (d.when().test(req)) {
          try {
            Thread.sleep(d.delay().toMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
      forward(ex, uri, body);
    }
  }

  private void forward(HttpExchange ex, URI uri, byte[] body) throws IOException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                target.resolve(
                    uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())))
            .method(
                ex.getRequestMethod(),
                body.length == 0
                        && !"PUT".equals(ex.getRequestMethod())
                        && !"POST".equals(ex.getRequestMethod())
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    ex.getRequestHeaders()
        .forEach(
            (name, values) -> {
              if (!RESTRICTED.contains(name.toLowerCase())) {
                values.forEach(v -> b.header(name, v));
              }
            });
    HttpResponse<byte[]> r;
    try {
      r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    r.headers()
        .map()
        .forEach(
            (name, values) -> {
              if (!RESTRICTED.contains(name.toLowerCase()) && !name.startsWith(":")) {
                ex.getResponseHeaders().put(name, values);
              }
            });
    byte[] out = r.body();
    boolean head = "HEAD".equals(ex.getRequestMethod());
    if (head || out.length == 0) {
      r.headers()
          .firstValue("content-length")
          .ifPresent(len -> ex.getResponseHeaders().set("Content-Length", len));
      ex.sendResponseHeaders(r.statusCode(), -1);
    } else {
      ex.sendResponseHeaders(r.statusCode(), out.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(out);
      }
    }
  }

  private static void respond(HttpExchange ex, int status, byte[] body, String type)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(body);
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
