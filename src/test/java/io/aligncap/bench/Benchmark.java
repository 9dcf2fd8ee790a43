package io.aligncap.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Start-up to ready, single-image latency at beam 1 and beam 3, and memory of the packaged service.
 * Plain JDK, no dependencies: run it from the repository root after packaging,
 *
 * <pre>
 * mvn -B -ntp package -DskipTests && java src/test/java/io/aligncap/bench/Benchmark.java
 * </pre>
 *
 * Arguments (all optional): the image to caption (default: the default model's first golden image),
 * the number of timed requests per setting (default 100), the fast-jar (default
 * target/quarkus-app/quarkus-run.jar). Requests are sequential, from one client, after 200 warm-up
 * requests.
 */
public final class Benchmark {

  private static final int WARM_UP = 200;

  public static void main(String[] args) throws Exception {
    Path image = Path.of(args.length > 0 ? args[0] : "models/scenes-v2/golden/000.png");
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    Path jar = Path.of(args.length > 2 ? args[2] : "target/quarkus-app/quarkus-run.jar");
    byte[] body = Files.readAllBytes(image);
    String type =
        image.toString().toLowerCase(Locale.ROOT).endsWith(".png") ? "image/png" : "image/jpeg";
    int port = freePort();

    long start = System.nanoTime();
    Process service =
        new ProcessBuilder("java", "-Dquarkus.http.port=" + port, "-jar", jar.toString())
            .redirectErrorStream(true)
            .redirectOutput(
                Path.of(System.getProperty("java.io.tmpdir"), "aligncap-bench.log").toFile())
            .start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    String base = "http://127.0.0.1:" + port;
    try {
      double readyMs = waitReady(http, base + "/q/health/ready", service, start);
      System.out.printf(
          "service       %s (pid %d), image %s (%d bytes)%n",
          jar, service.pid(), image, body.length);
      System.out.printf(
          "start-up      %.0f ms from process start to /q/health/ready UP%n", readyMs);
      System.out.printf("rss at ready  %d MB%n", rssMb(service.pid(), "VmRSS"));
      for (int i = 0; i < WARM_UP; i++) { // let the JIT compile both paths before timing either
        post(http, URI.create(base + "/v1/captions?beam_size=" + (i % 2 == 0 ? 1 : 3)), body, type);
      }
      for (int beam : new int[] {1, 3}) {
        URI uri = URI.create(base + "/v1/captions?beam_size=" + beam);
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          long t = System.nanoTime();
          post(http, uri, body, type);
          ms.add((System.nanoTime() - t) / 1e6);
        }
        Collections.sort(ms);
        System.out.printf(
            "beam %d        p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, mean %.1f ms over %d requests%n",
            beam,
            pct(ms, 50),
            pct(ms, 90),
            pct(ms, 99),
            ms.stream().mapToDouble(d -> d).average().orElse(0),
            n);
      }
      System.out.printf(
          "rss after     %d MB (peak %d MB)%n",
          rssMb(service.pid(), "VmRSS"), rssMb(service.pid(), "VmHWM"));
    } finally {
      service.destroy();
      service.waitFor();
    }
  }

  private static double waitReady(HttpClient http, String url, Process service, long start)
      throws Exception {
    HttpRequest get =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build();
    while (System.nanoTime() - start < 300_000_000_000L) {
      if (!service.isAlive()) {
        throw new IllegalStateException(
            "the service exited with "
                + service.exitValue()
                + ", see aligncap-bench.log in the temp dir");
      }
      try {
        if (http.send(get, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return (System.nanoTime() - start) / 1e6;
        }
      } catch (IOException notYet) {
        // the port is not open yet
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("not ready after 300 s");
  }

  private static void post(HttpClient http, URI uri, byte[] body, String type) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri)
                .header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
    }
  }

  private static long rssMb(long pid, String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    return -1;
  }

  private static double pct(List<Double> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private Benchmark() {}
}
