package io.aligncap.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * An RFC 9457 problem detail ({@code application/problem+json}); {@code request_id} is an extension
 * member that matches the server's log line.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Problem(
    String type, String title, int status, String detail, String instance, String requestId) {

  public static final String MEDIA_TYPE = "application/problem+json";
}
