package io.aligncap.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An RFC 9457 problem detail ({@code application/problem+json}); {@code request_id} is an extension
 * member that matches the server's log line and the {@code X-Request-Id} header. The type is
 * derived from the title, so one title is one type.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@Schema(
    description = "RFC 9457 problem details",
    requiredProperties = {"type", "title", "status", "detail", "request_id"})
public record Problem(
    @Schema(
            description = "A URN naming the kind of problem",
            example = "urn:aligncap:problem:invalid-image")
        String type,
    @Schema(description = "A short, stable summary of the kind", example = "Invalid image")
        String title,
    @Schema(description = "The HTTP status", example = "400") int status,
    @Schema(description = "What was wrong with this request and what to send instead")
        String detail,
    @Schema(description = "The request's path", example = "/v1/captions") String instance,
    @Schema(description = "The request id (also in the X-Request-Id header and the server's log)")
        String requestId) {

  public static final String MEDIA_TYPE = "application/problem+json";

  /** Prefix of every problem type: {@code urn:aligncap:problem:<title in kebab case>}. */
  public static final String TYPE_PREFIX = "urn:aligncap:problem:";

  /** A problem whose type is derived from its title. */
  public static Problem of(
      int status, String title, String detail, String instance, String requestId) {
    String slug = title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    return new Problem(TYPE_PREFIX + slug, title, status, detail, instance, requestId);
  }
}
