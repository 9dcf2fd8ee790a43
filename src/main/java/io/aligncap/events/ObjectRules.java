package io.aligncap.events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which objects are captioned and where their results go. Pure: the same rules for every event
 * path, tested alone.
 *
 * <p>A result's key is {@code <output prefix><source bucket>/<source key>/<model id>@<model
 * version>/<revision>.json}, where the revision is {@code v-<versionId>} on versioned buckets and
 * {@code e-<ETag>} otherwise. So each object version and model has exactly one result key, which
 * makes the result object itself the idempotency guard (a conditional PUT), and an overwritten
 * object on an unversioned bucket (new ETag) is captioned again.
 */
public final class ObjectRules {

  /** S3's limit on a key, in UTF-8 bytes. */
  static final int MAX_KEY_BYTES = 1024;

  private final Optional<String> inputPrefix;
  private final List<String> suffixes;
  private final Optional<String> outputBucket;
  private final String outputPrefix;
  private final long maxBytes;

  /**
   * @param maxBytes largest object captioned (the image decoder's byte limit)
   * @throws IllegalArgumentException when results could trigger captioning again: an empty output
   *     prefix in the source bucket, overlapping input and output prefixes, or {@code .json} taken
   *     for an image suffix
   */
  public ObjectRules(
      Optional<String> inputPrefix,
      List<String> suffixes,
      Optional<String> outputBucket,
      String outputPrefix,
      long maxBytes) {
    this.inputPrefix = inputPrefix.filter(p -> !p.isEmpty());
    this.suffixes = suffixes.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    this.outputBucket = outputBucket.filter(b -> !b.isBlank());
    this.outputPrefix = outputPrefix == null ? "" : outputPrefix;
    this.maxBytes = maxBytes;
    refuseRecursion();
  }

  public static ObjectRules from(EventsConfig config, long maxBytes) {
    return new ObjectRules(
        config.input().prefix(),
        config.input().suffixes(),
        config.output().bucket(),
        config.output().prefix(),
        maxBytes);
  }

  private void refuseRecursion() {
    // With a separate output bucket the input bucket's notification cannot see the results; the
    // deployment must not put a notification on the output bucket itself (deploy/ does not).
    if (outputBucket.isPresent()) {
      return;
    }
    if (outputPrefix.isEmpty()) {
      throw new IllegalArgumentException(
          "aligncap.events.output.prefix is empty while results go to the source bucket"
              + " (aligncap.events.output.bucket unset): every result would be a new object that"
              + " triggers captioning again. Set an output prefix (default captions/) or bucket.");
    }
    inputPrefix.ifPresent(
        in -> {
          if (outputPrefix.startsWith(in) || in.startsWith(outputPrefix)) {
            throw new IllegalArgumentException(
                "aligncap.events.output.prefix '"
                    + outputPrefix
                    + "' overlaps aligncap.events.input.prefix '"
                    + in
                    + "' in the same bucket: results would trigger captioning again."
                    + " Use disjoint prefixes or a separate output bucket.");
          }
        });
    if (suffixes.stream().anyMatch(".json"::endsWith)) {
      throw new IllegalArgumentException(
          "aligncap.events.input.suffixes includes .json, the results' suffix: results would"
              + " trigger captioning again. Expected image suffixes such as .jpg,.png.");
    }
  }

  /** Why {@code ref} is not captioned at all (no result is written), or empty to go on. */
  public Optional<String> skipReason(ObjectRef ref) {
    if (ref.bucket().equals(outputBucket(ref)) && ref.key().startsWith(outputPrefix)) {
      return Optional.of("under the output prefix " + outputPrefix + " (a result, not an image)");
    }
    if (inputPrefix.isPresent() && !ref.key().startsWith(inputPrefix.get())) {
      return Optional.of("outside the input prefix " + inputPrefix.get());
    }
    String lower = ref.key().toLowerCase(Locale.ROOT);
    if (!suffixes.isEmpty() && suffixes.stream().noneMatch(lower::endsWith)) {
      return Optional.of("not an image by its name (expected one of " + suffixes + ")");
    }
    return Optional.empty();
  }

  /** Whether a size from the event or a HEAD is over the limit (checked before any download). */
  public boolean tooLarge(Long size) {
    return size != null && size > maxBytes;
  }

  public long maxBytes() {
    return maxBytes;
  }

  /** The bucket a result for {@code ref} goes to. */
  public String outputBucket(ObjectRef ref) {
    return outputBucket.orElse(ref.bucket());
  }

  /**
   * The result key for {@code ref} (which must carry a version id or an ETag) and a model.
   *
   * @throws IllegalArgumentException when {@code ref} has neither a version id nor an ETag
   */
  public String resultKey(ObjectRef ref, String modelId, String modelVersion) {
    String revision;
    if (ref.versionId() != null) {
      revision = "v-" + ref.versionId();
    } else if (ref.eTag() != null) {
      revision = "e-" + ref.eTag();
    } else {
      throw new IllegalArgumentException(ref + " has neither a version id nor an ETag");
    }
    String tail = "/" + modelId + "@" + modelVersion + "/" + revision + ".json";
    String key = outputPrefix + ref.bucket() + "/" + ref.key() + tail;
    if (key.getBytes(StandardCharsets.UTF_8).length <= MAX_KEY_BYTES) {
      return key;
    }
    // Keys near S3's limit: name the source by its SHA-256 (the result JSON still has the key).
    return outputPrefix + ref.bucket() + "/sha256-" + sha256(ref.key()) + tail;
  }

  @Override
  public String toString() {
    return "s3://"
        + outputBucket.orElse("<source bucket>")
        + "/"
        + outputPrefix
        + inputPrefix.map(p -> " for keys under " + p).orElse("");
  }

  private static String sha256(String s) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
