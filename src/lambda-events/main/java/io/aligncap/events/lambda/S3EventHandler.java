package io.aligncap.events.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aligncap.events.MalformedEventException;
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
import org.jboss.logging.Logger;

/**
 * Lambda handler {@code s3} (QUARKUS_LAMBDA_HANDLER=s3): an S3 event notification invokes it
 * asynchronously. Every ObjectCreated record is captioned; a transient failure is thrown, so Lambda
 * retries the event and then sends it to the function's on-failure destination. An event that is
 * not a valid S3 notification is logged and dropped: retrying cannot fix it. Answers a summary
 * (ignored by asynchronous invocations, useful when invoked by hand).
 */
@Named("s3")
public class S3EventHandler implements RequestStreamHandler {

  /** What one invocation did. */
  public record Summary(List<Outcome> outcomes, List<String> ignored) {}

  private static final Logger LOG = Logger.getLogger(S3EventHandler.class);

  private final S3ObjectCaptioner captioner;
  private final ObjectMapper json;

  S3EventHandler(S3ObjectCaptioner captioner, ObjectMapper json) {
    this.captioner = captioner;
    this.json = json;
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    S3EventParser.Parsed parsed;
    try {
      parsed = S3EventParser.parse(new String(input.readAllBytes(), StandardCharsets.UTF_8));
    } catch (MalformedEventException e) {
      // a retry cannot fix it: a logged permanent failure, not a failed invocation (issue 11)
      LOG.errorf("S3 event is not a valid S3 notification, dropped: %s", e.getMessage());
      json.writeValue(output, new Summary(List.of(), List.of("malformed: " + e.getMessage())));
      return;
    }
    List<Outcome> outcomes = new ArrayList<>();
    for (ObjectRef ref : parsed.objects()) {
      outcomes.add(captioner.caption(ref)); // TransientEventException → Lambda retries the event
    }
    json.writeValue(output, new Summary(outcomes, parsed.ignored()));
  }
}
