package io.aligncap.events.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The checked-in event fixtures ({@code src/test/resources/events/}, real AWS shapes), read
 * verbatim or pointed at an object a test uploaded. Keys are form-encoded as S3 sends them.
 */
public final class Events {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Events() {}

  /** A fixture's text, as checked in. */
  public static String fixture(String name) {
    try (InputStream in = Events.class.getResourceAsStream("/events/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture events/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code s3-put.json} for {@code bucket/key} with its ETag, size and version (null: none). */
  public static String s3Put(String bucket, String key, String eTag, long size, String versionId) {
    ObjectNode root = tree("s3-put.json");
    ObjectNode s3 = (ObjectNode) root.get("Records").get(0).get("s3");
    ((ObjectNode) s3.get("bucket")).put("name", bucket).put("arn", "arn:aws:s3:::" + bucket);
    ObjectNode object = (ObjectNode) s3.get("object");
    object.put("key", encodeKey(key)).put("eTag", eTag.replace("\"", "")).put("size", size);
    if (versionId != null) {
      object.put("versionId", versionId);
    }
    return root.toString();
  }

  /** The same S3 event inside an SNS envelope (subscription without raw message delivery). */
  public static String sns(String s3Event) {
    ObjectNode root = tree("sns-s3-put.json");
    root.put("Message", s3Event);
    return root.toString();
  }

  /** {@code eventbridge-object-created.json} for {@code bucket/key}. */
  public static String eventBridge(String bucket, String key, String eTag, long size) {
    ObjectNode root = tree("eventbridge-object-created.json");
    ObjectNode detail = (ObjectNode) root.get("detail");
    ((ObjectNode) detail.get("bucket")).put("name", bucket);
    ObjectNode object = (ObjectNode) detail.get("object");
    object.put("key", encodeKey(key)).put("etag", eTag.replace("\"", "")).put("size", size);
    object.remove("version-id");
    return root.toString();
  }

  /** A Lambda SQS event whose records carry {@code bodies}, with ids {@code m0, m1, ...}. */
  public static String sqsEvent(String... bodies) {
    ObjectNode root = JSON.createObjectNode();
    var records = root.putArray("Records");
    for (int i = 0; i < bodies.length; i++) {
      ObjectNode r = records.addObject();
      r.put("messageId", "m" + i).put("receiptHandle", "AQEB" + i).put("body", bodies[i]);
      r.putObject("attributes").put("ApproximateReceiveCount", "1");
      r.putObject("messageAttributes");
      r.put("md5OfBody", "x")
          .put("eventSource", "aws:sqs")
          .put("eventSourceARN", "arn:aws:sqs:us-east-1:111122223333:aligncap-events")
          .put("awsRegion", "us-east-1");
    }
    return root.toString();
  }

  /** Form encoding, as S3 notifications carry keys ({@code /} kept). */
  public static String encodeKey(String key) {
    return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/");
  }

  public static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ObjectNode tree(String fixture) {
    return (ObjectNode) parse(fixture(fixture));
  }
}
