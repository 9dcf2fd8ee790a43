package io.aligncap.api.lambda;

import static io.aligncap.AligncapException.Kind.IMAGE_TOO_LARGE;

import io.aligncap.AligncapException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Lambda HTTP package only: a request over Lambda's payload ceiling gets a clear 413 problem
 * (through the API's one exception mapper) that says why and what to do instead, rather than the
 * bare "Request Entity Too Large" the platform gives when the event itself is over 6 MB.
 */
public class PayloadLimitFilter {

  private final LambdaHttpConfig config;

  PayloadLimitFilter(LambdaHttpConfig config) {
    this.config = config;
  }

  @ServerRequestFilter(preMatching = true)
  public void limit(ContainerRequestContext request) {
    String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
    long bytes;
    try {
      bytes = length == null ? -1 : Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return; // the HTTP layer deals with a malformed header
    }
    if (bytes > config.maxBodyBytes()) {
      throw new AligncapException(
          IMAGE_TOO_LARGE,
          "the request body is "
              + bytes
              + " bytes, more than the "
              + config.maxBodyBytes()
              + " this AWS Lambda function accepts: Lambda's synchronous payload limit is 6 MB and"
              + " API Gateway sends images base64-encoded, so about 4.4 MB of image fits. Send a"
              + " smaller image, or upload it to S3 and let the S3 trigger caption it.");
    }
  }
}
