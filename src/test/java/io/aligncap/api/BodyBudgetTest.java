package io.aligncap.api;

import static io.aligncap.api.HostileInputTest.assertProblem;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aligncap.events.testing.Await;
import io.aligncap.testing.RawHttp;
import io.aligncap.testing.RawHttp.Part;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: request bodies in memory are a budget, {@code aligncap.api.max-buffered-body-bytes}.
 * While uploads in progress hold all of it, the next body is refused with a 503 problem and {@code
 * Retry-After} (a raw body as its bytes arrive, a form's image part before it is read from disk),
 * and what they held comes back when they end, closed mid-upload or answered.
 */
@QuarkusTest
@TestProfile(BodyBudgetTest.LongUploads.class)
class BodyBudgetTest {

  /** Uploads held open must not meet the upload deadline during the test. */
  public static class LongUploads implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("aligncap.api.upload-timeout", "10m");
    }
  }

  /** What each held upload has sent: under the body limit (24M), so that it is accepted. */
  static final int HELD = 20 << 20;

  static final Duration SETTLED = Duration.ofSeconds(60);

  @Inject BodyBudget budget;

  @TestHTTPResource("/")
  URI base;

  @Test
  void bodiesOverTheBudgetAre503UntilTheBodiesInProgressEnd() throws Exception {
    Await.until(SETTLED, "earlier requests to give their bodies back", () -> budget.held() == 0);
    long capacity =
        ConfigProvider.getConfig().getValue("aligncap.api.max-buffered-body-bytes", Long.class);
    int uploads = (int) (capacity / HELD);
    byte[] over = new byte[(int) (capacity - (long) uploads * HELD) + (1 << 20)];
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < uploads; i++) {
        held.add(unfinishedUpload());
      }
      Await.until(SETTLED, "the held uploads to arrive", () -> budget.held() == uploads * HELD);

      HttpResponse<String> raw = RawHttp.send(raw(over));
      assertProblem(raw, 503, "overloaded", "a raw body over the budget");
      assertTrue(raw.headers().firstValue("Retry-After").isPresent(), "raw: Retry-After");
      HttpResponse<String> form = RawHttp.send(form(over));
      assertProblem(form, 503, "overloaded", "a form's image over the budget");
      assertTrue(form.headers().firstValue("Retry-After").isPresent(), "form: Retry-After");
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
    Await.until(SETTLED, "closed uploads to give their bodies back", () -> budget.held() == 0);
    // the same bodies now fit: bytes that are no image are refused for that alone
    assertProblem(RawHttp.send(raw(over)), 400, "invalid-image", "a raw body within the budget");
    assertProblem(RawHttp.send(form(over)), 400, "invalid-image", "a form within the budget");
    Await.until(SETTLED, "answered requests to give their bodies back", () -> budget.held() == 0);
  }

  /** A connection that has sent {@link #HELD} bytes of a longer raw body, and waits. */
  private Socket unfinishedUpload() throws IOException {
    Socket socket = new Socket(base.getHost(), base.getPort());
    OutputStream out = socket.getOutputStream();
    String head =
        "POST /v1/captions HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\n"
            + "Content-Length: "
            + (HELD + 1024)
            + "\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(new byte[HELD]);
    out.flush();
    return socket;
  }

  private HttpRequest raw(byte[] body) {
    return RawHttp.request(base.resolve("v1/captions/image"))
        .header("Content-Type", "image/png")
        .POST(BodyPublishers.ofByteArray(body))
        .build();
  }

  private HttpRequest form(byte[] image) {
    return RawHttp.request(base.resolve("v1/captions/form"))
        .header("Content-Type", "multipart/form-data; boundary=" + RawHttp.BOUNDARY)
        .POST(
            BodyPublishers.ofByteArray(
                RawHttp.multipart(List.of(new Part("image", "x.png", "image/png", image)))))
        .build();
  }
}
