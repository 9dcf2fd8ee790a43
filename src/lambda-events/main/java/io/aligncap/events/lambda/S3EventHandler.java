package io.aligncap.events.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aligncap.events.ObjectRef;
import io.aligncap.events.Outcome;
import io.aligncap.events.S3EventParser;
import io.aligncap.events.S3ObjectCaptioner;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Lambda handler {@code s3} (QUARKUS_LAMBDA_HANDLER=s3): an S3 event notification invokes it
 * asynchronously. Every ObjectCreated record is captioned; a transient failure is thrown, so Lambda
 * retries the event and then sends it to the function's on-failure destination. Answers a summary
 * (ignored by asynchronous invocations, useful when invoked by hand).
 */
@Named("s3")
public class S3EventHandler implements RequestStreamHandler {

  /** What one invocation did. */
  public record Summary(List<Outcome> outcomes, List<String> ignored) {}

  private final S3ObjectCaptioner captioner;
  private final ObjectMapper json;

  S3EventHandler(S3ObjectCaptioner captioner, ObjectMapper json) {
    this.captioner = captioner;
    this.json = json;
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    S3EventParser.Parsed parsed =
        S3EventParser.parse(new String(input.readAllBytes(), StandardCharsets.UTF_8));
    List<Outcome> outcomes = new ArrayList<>();
    for (ObjectRef ref : parsed.objects()) {
      outcomes.add(captioner.caption(ref)); // TransientEventException → Lambda retries the event
    }
    json.writeValue(output, new Summary(outcomes, parsed.ignored()));
  }
}
