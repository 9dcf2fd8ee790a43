package io.aligncap.events.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aligncap.events.batch.BatchInvocation;
import io.aligncap.events.batch.S3BatchProcessor;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Lambda handler {@code s3-batch}: S3 Batch Operations' {@code LambdaInvoke} (invocation schema 1.0
 * or 2.0), for captioning the objects already in a bucket. Answers one result code per task.
 */
@Named("s3-batch")
public class S3BatchHandler implements RequestStreamHandler {

  private final S3BatchProcessor processor;
  private final ObjectMapper json;

  S3BatchHandler(S3BatchProcessor processor, ObjectMapper json) {
    this.processor = processor;
    this.json = json;
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    json.writeValue(output, processor.process(json.readValue(input, BatchInvocation.class)));
  }
}
