package io.aligncap.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.eventnotifications.s3.model.S3EventNotification;
import software.amazon.awssdk.eventnotifications.s3.model.S3EventNotificationRecord;

/**
 * The one parser for every event path (Lambda S3 trigger, SQS message bodies, the SQS worker): a
 * raw S3 notification (read by the AWS SDK's own {@code s3-event-notifications} model), the same
 * inside an SNS envelope, the EventBridge form, and the {@code s3:TestEvent} that S3 sends when a
 * notification is configured. Pure: no I/O.
 */
public final class S3EventParser {

  /** What one message asks for: objects to caption, and what was ignored (with why). */
  public record Parsed(List<ObjectRef> objects, List<String> ignored) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private S3EventParser() {}

  /**
   * Parses one event or queue-message body.
   *
   * @throws MalformedEventException when the text is not JSON or not an S3 event in a known form,
   *     or a record in it names no bucket or a key that is not URL-encoded as S3 sends it
   */
  public static Parsed parse(String body) {
    JsonNode root;
    try {
      root = body == null ? null : JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new MalformedEventException("message body is not JSON: " + abbreviate(body), e);
    }
    if (root == null || !root.isObject()) {
      throw new MalformedEventException("expected a JSON object, got: " + abbreviate(body));
    }
    return parse(root, body, 0);
  }

  private static Parsed parse(JsonNode root, String text, int depth) {
    if ("s3:TestEvent".equals(root.path("Event").asText(null))) {
      return ignored("s3:TestEvent for bucket " + root.path("Bucket").asText("?"));
    }
    if (root.has("Records")) {
      return fromNotification(text);
    }
    if ("Notification".equals(root.path("Type").asText(null))
        && root.has("Message")
        && depth == 0) {
      // SNS envelope (no raw message delivery): the S3 notification is a JSON string inside.
      return parseNested(root.get("Message").asText(), depth);
    }
    if ("aws.s3".equals(root.path("source").asText(null)) && root.has("detail")) {
      return fromEventBridge(root);
    }
    throw new MalformedEventException(
        "expected an S3 notification (Records), an SNS envelope (Type=Notification) or an"
            + " EventBridge S3 event (source=aws.s3); got fields "
            + fieldNames(root));
  }

  private static Parsed parseNested(String message, int depth) {
    try {
      JsonNode inner = JSON.readTree(message);
      if (inner == null || !inner.isObject()) {
        throw new MalformedEventException(
            "SNS Message is not a JSON object: " + abbreviate(message));
      }
      return parse(inner, message, depth + 1);
    } catch (JsonProcessingException e) {
      throw new MalformedEventException("SNS Message is not JSON: " + abbreviate(message), e);
    }
  }

  private static Parsed fromNotification(String text) {
    S3EventNotification notification;
    try {
      notification = S3EventNotification.fromJson(text);
    } catch (RuntimeException e) {
      throw new MalformedEventException("S3 notification does not parse: " + e.getMessage(), e);
    }
    List<ObjectRef> objects = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    List<S3EventNotificationRecord> records =
        notification.getRecords() == null ? List.of() : notification.getRecords();
    for (S3EventNotificationRecord r : records) {
      String name = r.getEventName();
      if (!"aws:s3".equals(r.getEventSource())
          || r.getS3() == null
          || r.getS3().getObject() == null) {
        ignored.add("record from " + r.getEventSource() + " is not an S3 event");
      } else if (r.getEventVersion() == null || !r.getEventVersion().startsWith("2.")) {
        ignored.add("S3 event version " + r.getEventVersion() + " (expected 2.x)");
      } else if (name == null || !name.startsWith("ObjectCreated:")) {
        ignored.add(name + " for " + r.getS3().getObject().getKey());
      } else {
        var o = r.getS3().getObject();
        objects.add(
            new ObjectRef(
                r.getS3().getBucket() == null ? null : r.getS3().getBucket().getName(),
                // not the SDK's getUrlDecodedKey(): its IllegalArgumentException for "100%.jpg"
                // would fail a whole SQS batch instead of this message (issue 11)
                decodeKey(o.getKey()),
                o.getVersionId(),
                o.getETag(),
                o.getSizeAsLong(),
                name,
                r.getEventTime()));
      }
    }
    return new Parsed(objects, ignored);
  }

  private static Parsed fromEventBridge(JsonNode root) {
    String type = root.path("detail-type").asText("");
    JsonNode detail = root.get("detail");
    JsonNode object = detail.path("object");
    String key = decodeKey(object.path("key").asText(null));
    if (!"Object Created".equals(type)) {
      return ignored("EventBridge " + type + " for " + key);
    }
    JsonNode size = object.get("size");
    return new Parsed(
        List.of(
            new ObjectRef(
                detail.path("bucket").path("name").asText(null),
                key,
                object.path("version-id").asText(null),
                object.path("etag").asText(null),
                size == null || !size.canConvertToLong() ? null : size.asLong(),
                "ObjectCreated:" + detail.path("reason").asText("EventBridge"),
                instant(root.path("time").asText(null)))),
        List.of());
  }

  /**
   * Decodes a key as S3 events carry it (form encoding: {@code +} and {@code %20} are spaces,
   * {@code %2B} is a plus). S3 Batch Operations tasks encode the same way.
   */
  public static String decodeKey(String key) {
    if (key == null) {
      return null;
    }
    try {
      return URLDecoder.decode(key, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new MalformedEventException("object key is not URL-encoded as S3 sends it: " + key, e);
    }
  }

  private static Parsed ignored(String why) {
    return new Parsed(List.of(), List.of(why));
  }

  private static Instant instant(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String abbreviate(String s) {
    if (s == null) {
      return "null";
    }
    return s.length() <= 120 ? s : s.substring(0, 120) + "... (" + s.length() + " chars)";
  }
}
