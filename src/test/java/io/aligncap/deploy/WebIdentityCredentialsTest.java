package io.aligncap.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.aligncap.events.testing.MotoServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The credentials a Kubernetes pod gets, resolved by the AWS SDK's default chain exactly as the
 * service's own S3 and SQS clients resolve them (they set no credentials provider), in a child JVM
 * whose environment holds only what EKS injects, so that no developer or CI credentials can stand
 * in for them:
 *
 * <ul>
 *   <li>IRSA: {@code AWS_WEB_IDENTITY_TOKEN_FILE} and {@code AWS_ROLE_ARN}. The chain exchanges the
 *       token at STS ({@code AssumeRoleWithWebIdentity}, moto's STS here), which only works with
 *       the {@code sts} module on the class path; without it the SDK skips to the node's role.
 *   <li>EKS Pod Identity: {@code AWS_CONTAINER_CREDENTIALS_FULL_URI} and {@code
 *       AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE}, served here by a loopback HTTP server that checks
 *       the token, as the Pod Identity agent does.
 * </ul>
 *
 * <p>Needs moto's server ({@code .ci/steps/15-s3-server.sh}), as the event tests do.
 */
class WebIdentityCredentialsTest {

  private static final String ROLE_ARN = "arn:aws:iam::123456789012:role/aligncap-worker";

  @TempDir Path dir;

  @Test
  void irsaWebIdentityTokenIsExchangedAtSts() throws Exception {
    try (MotoServer moto = MotoServer.start()) {
      Path token = Files.writeString(dir.resolve("token"), fakeJwt());
      String out =
          probe(
              Map.of(
                  "AWS_WEB_IDENTITY_TOKEN_FILE",
                  token.toString(),
                  "AWS_ROLE_ARN",
                  ROLE_ARN,
                  "AWS_ROLE_SESSION_NAME",
                  "aligncap-test",
                  "AWS_REGION",
                  "us-east-1",
                  // Service-specific endpoints (SDK setting), so that STS and S3 are moto's.
                  "AWS_ENDPOINT_URL_STS",
                  moto.endpoint().toString(),
                  "AWS_ENDPOINT_URL_S3",
                  moto.endpoint().toString()),
              "sts",
              "s3");
      // STS issued temporary credentials for the role named in AWS_ROLE_ARN, and they are the
      // ones the S3 client signed with.
      assertTrue(out.contains("key=ASIA"), out);
      assertTrue(
          out.contains(
              "caller=arn:aws:sts::123456789012:assumed-role/aligncap-worker/aligncap-test"),
          out);
      assertTrue(out.contains("s3=ok"), out);
    }
  }

  @Test
  void eksPodIdentityAgentCredentialsAreUsed() throws Exception {
    Path token = Files.writeString(dir.resolve("eks-pod-identity-token"), fakeJwt());
    HttpServer agent = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    agent.createContext(
        "/v1/credentials",
        exchange -> {
          boolean authorised =
              fakeJwt().equals(exchange.getRequestHeaders().getFirst("Authorization"));
          byte[] body =
              (authorised
                      ? "{\"AccessKeyId\":\"ASIAPODIDENTITYTEST\",\"SecretAccessKey\":\"secret\","
                          + "\"Token\":\"session\",\"AccountId\":\"123456789012\",\"Expiration\":\""
                          + Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS)
                          + "\"}"
                      : "{\"message\":\"bad token\"}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(authorised ? 200 : 403, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    agent.start();
    try {
      String out =
          probe(
              Map.of(
                  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                  "http://127.0.0.1:" + agent.getAddress().getPort() + "/v1/credentials",
                  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                  token.toString(),
                  "AWS_REGION",
                  "us-east-1"));
      assertTrue(out.contains("key=ASIAPODIDENTITYTEST"), out);
    } finally {
      agent.stop(0);
    }
  }

  /**
   * Runs {@link Probe} on this test's class path with {@code env} as the whole environment (plus a
   * private HOME, so no ~/.aws profile is read) and returns its output.
   */
  private String probe(Map<String, String> env, String... checks)
      throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(java, "-cp", System.getProperty("java.class.path"), Probe.class.getName()));
    command.addAll(List.of(checks));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.environment().put("HOME", dir.toString());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  /** Three base64url parts: moto, like the Pod Identity stand-in, does not verify signatures. */
  private static String fakeJwt() {
    return "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6YWxpZ25jYXA6YWxpZ25jYXAtZ3B1In0.c2ln";
  }

  /**
   * The child JVM: resolves the default chain as the service's clients do and prints what it got.
   * Arguments {@code sts} (ask STS who the credentials belong to) and {@code s3} (list buckets with
   * an S3 client built like the service's) use the endpoints from the environment.
   */
  public static final class Probe {
    public static void main(String[] args) {
      AwsCredentials credentials;
      try (DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build()) {
        credentials = chain.resolveCredentials();
      }
      System.out.println("key=" + credentials.accessKeyId());
      for (String check : args) {
        switch (check) {
          case "sts" -> {
            try (StsClient sts =
                StsClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
              System.out.println("caller=" + sts.getCallerIdentity().arn());
            }
          }
          case "s3" -> {
            try (S3Client s3 =
                S3Client.builder()
                    .httpClient(UrlConnectionHttpClient.create())
                    .forcePathStyle(true)
                    .build()) {
              s3.listBuckets();
              System.out.println("s3=ok");
            }
          }
          default -> throw new IllegalArgumentException("unknown check " + check);
        }
      }
    }
  }
}
