package io.aligncap.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aligncap.testing.RawHttp;
import io.aligncap.testing.TestModel;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: uploads that stall hold no worker thread. More stalled uploads than the worker pool has
 * threads (Quarkus: max(200, 8 × cores)), raw, JSON and multipart, each past the size that Quarkus
 * REST buffers before it falls back to blocking reads, and still a caption and the readiness probe
 * answer within seconds; an upload unfinished after {@code aligncap.api.upload-timeout} is answered
 * 408 and closed.
 */
@QuarkusTest
class SlowUploadTest {

  /** Above the worker pool of a 2-core machine (200), still a bounded loopback load. */
  static final int STALLED = 300;

  /** More than Quarkus REST's default input buffer (10 KiB), so a blocking read would follow. */
  static final int SENT_FIRST = 16 * 1024;

  static final Duration PROMPT = Duration.ofSeconds(5);

  /** Each way a body is read: raw and JSON by RequestGuard, forms by Quarkus REST's parser. */
  static final List<String> STALLED_TYPES =
      List.of("image/png", "application/json", "multipart/form-data; boundary=" + RawHttp.BOUNDARY);

  @TestHTTPResource("/")
  URI base;

  @Test
  void stalledUploadsLeaveTheApiAndTheProbesAnswering() throws Exception {
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < STALLED; i++) {
        stalled.add(stall(STALLED_TYPES.get(i % STALLED_TYPES.size()), 1_000_000));
      }
      HttpResponse<String> ready =
          RawHttp.send(RawHttp.request(base.resolve("q/health/ready")).timeout(PROMPT).build());
      assertEquals(200, ready.statusCode(), ready.body());
      HttpResponse<String> caption =
          RawHttp.send(
              RawHttp.request(base.resolve("v1/captions?beam_size=1"))
                  .timeout(PROMPT)
                  .header("Content-Type", "image/png")
                  .POST(BodyPublishers.ofByteArray(TestModel.sampleImage()))
                  .build());
      assertEquals(200, caption.statusCode(), caption.body());
    } finally {
      for (Socket s : stalled) {
        s.close();
      }
    }
  }

  @Test
  void anUploadUnfinishedAfterTheTimeoutIsAnswered408AndClosed() throws Exception {
    Duration timeout =
        ConfigProvider.getConfig().getValue("aligncap.api.upload-timeout", Duration.class);
    try (Socket socket = stall("image/png", 100_000)) {
      socket.setSoTimeout((int) timeout.plusSeconds(20).toMillis());
      String answer = readAll(socket.getInputStream()); // ends when the server closes
      assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
      assertTrue(answer.contains(Problem.MEDIA_TYPE), answer);
      assertTrue(answer.contains("aligncap.api.upload-timeout"), answer);
    }
  }

  /** A connection that sent its headers and {@link #SENT_FIRST} bytes of a longer body. */
  private Socket stall(String contentType, int declaredLength) throws IOException {
    Socket socket = new Socket(base.getHost(), base.getPort());
    OutputStream out = socket.getOutputStream();
    String head =
        "POST /v1/captions HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
            + contentType
            + "\r\nContent-Length: "
            + declaredLength
            + "\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    if (contentType.startsWith("multipart/")) { // the image part has begun
      out.write(
          ("--"
                  + RawHttp.BOUNDARY
                  + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"x.png\"\r\n"
                  + "Content-Type: image/png\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
    }
    out.write(new byte[SENT_FIRST]);
    out.flush();
    return socket;
  }

  private static String readAll(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }
}
