package io.aligncap.events.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real S3-compatible HTTP server for tests: moto's server (PyPI {@code moto[server]}) run as its
 * own process on a free loopback port. {@code .ci/steps/15-s3-server.sh} installs it into {@code
 * .venv-moto}; {@code -Daligncap.test.moto=/path/to/moto_server} points elsewhere.
 */
public final class MotoServer implements AutoCloseable {

  private final Process process;
  private final int port;

  private MotoServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static MotoServer start() {
    Path exe = locate();
    int port = freePort();
    try {
      Path log = Files.createTempFile("moto-", ".log");
      Process p =
          new ProcessBuilder(exe.toString(), "-H", "127.0.0.1", "-p", String.valueOf(port))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      MotoServer server = new MotoServer(p, port);
      server.awaitUp(Duration.ofSeconds(30), log);
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("could not start " + exe, e);
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  private void awaitUp(Duration timeout, Path log) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "moto_server exited with " + process.exitValue() + ": " + Files.readString(log));
      }
      try {
        HttpURLConnection c =
            (HttpURLConnection) endpoint().resolve("/moto-api/").toURL().openConnection();
        c.setConnectTimeout(500);
        if (c.getResponseCode() > 0) {
          return;
        }
      } catch (IOException notYet) {
        sleep(200);
      }
    }
    close();
    throw new IllegalStateException("moto_server did not answer within " + timeout);
  }

  private static Path locate() {
    String configured = System.getProperty("aligncap.test.moto", System.getenv("ALIGNCAP_MOTO"));
    if (configured != null) {
      return Path.of(configured);
    }
    Path base = Path.of("").toAbsolutePath(); // Surefire runs in the project directory
    for (Path candidate :
        List.of(
            base.resolve(".venv-moto/bin/moto_server"), base.resolve(".venv/bin/moto_server"))) {
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "moto_server not found in .venv-moto/bin or .venv/bin: run .ci/steps/15-s3-server.sh"
            + " (python3 -m venv .venv-moto && .venv-moto/bin/pip install 'moto[server]==5.2.5')"
            + " or pass -Daligncap.test.moto=/path/to/moto_server");
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port", e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
