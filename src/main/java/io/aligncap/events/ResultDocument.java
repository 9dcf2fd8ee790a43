package io.aligncap.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.aligncap.inference.CaptionResult;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.Map;

/**
 * The JSON written next to a captioned object (snake_case, like the HTTP API), one per object
 * version and model: either the captions or, for an object that can never be captioned, why.
 *
 * @param schema {@value #SCHEMA}: readers check it before anything else
 * @param status {@code succeeded} or {@code failed}
 * @param source the object, as read
 * @param model the model that captioned (or would have captioned) it
 * @param result captions with log-probabilities, MRF snippets with region boxes, provider and
 *     per-stage timings, exactly as {@code POST /v1/captions} returns them; null when failed
 * @param error why it failed; null when succeeded
 * @param timingsMs milliseconds spent reading the object, captioning and in total
 * @param createdAt when this document was written
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@RegisterForReflection // Jackson reads/writes it outside REST signatures (native image); nested
// records too
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResultDocument(
    String schema,
    String status,
    SourceInfo source,
    Model model,
    CaptionResult result,
    ErrorInfo error,
    Map<String, Long> timingsMs,
    Instant createdAt) {

  public static final String SCHEMA = "aligncap.s3-caption/1";

  /** The captioned object. {@code versionId} is null on unversioned buckets. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record SourceInfo(
      String bucket,
      String key,
      String versionId,
      String etag,
      Long size,
      String contentType,
      String eventName,
      Instant eventTime) {}

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Model(String id, String version) {}

  /**
   * @param type a stable name for the failure, e.g. {@code invalid_image}, {@code source_missing}
   * @param title a short human title
   * @param detail what was expected and what was found
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record ErrorInfo(String type, String title, String detail) {}

  static ResultDocument succeeded(
      SourceInfo source, Model model, CaptionResult result, Map<String, Long> timingsMs) {
    return new ResultDocument(
        SCHEMA, "succeeded", source, model, result, null, timingsMs, Instant.now());
  }

  static ResultDocument failed(
      SourceInfo source, Model model, ErrorInfo error, Map<String, Long> timingsMs) {
    return new ResultDocument(
        SCHEMA, "failed", source, model, null, error, timingsMs, Instant.now());
  }
}
