package io.aligncap.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aligncap.AligncapException;
import io.aligncap.config.AligncapConfig;
import io.aligncap.events.ResultDocument.ErrorInfo;
import io.aligncap.events.ResultDocument.Model;
import io.aligncap.events.ResultDocument.SourceInfo;
import io.aligncap.events.s3.S3Store;
import io.aligncap.inference.CaptionOptions;
import io.aligncap.inference.CaptionResult;
import io.aligncap.inference.Captioner;
import io.aligncap.inference.ServedModel;
import io.aligncap.model.Manifest;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The one operation under every event path: caption one S3 object version and write the result JSON
 * next to it. Idempotent: the result key is derived from the object version and the model ({@link
 * ObjectRules#resultKey}); an existing result means no work, the result is written with {@code
 * If-None-Match: *}, and duplicates in flight in this process wait for the first.
 *
 * <p>Returns an {@link Outcome} for everything final (captioned, already done, skipped, failed for
 * good with a failure result written) and throws {@link TransientEventException} for what a retry
 * may fix, so each delivery path can acknowledge or hand the event back.
 */
@ApplicationScoped
public class S3ObjectCaptioner {

  private static final Logger LOG = Logger.getLogger(S3ObjectCaptioner.class);
  private static final String JSON_TYPE = "application/json";

  private final S3Store store;
  private final Captioner captioner;
  private final ServedModel served;
  private final EventMetrics metrics;
  private final ObjectMapper json;
  private final ObjectRules rules;
  private final boolean tagSource;
  private final Map<String, CompletableFuture<Outcome>> inFlight = new ConcurrentHashMap<>();

  /**
   * @throws IllegalArgumentException when the configured output could re-trigger captioning
   */
  S3ObjectCaptioner(
      EventsConfig config,
      AligncapConfig core,
      S3Store store,
      Captioner captioner,
      ServedModel served,
      EventMetrics metrics,
      ObjectMapper json) {
    this.rules = ObjectRules.from(config, core.image().maxBytes());
    this.tagSource = config.output().tagSource();
    this.store = store;
    this.captioner = captioner;
    this.served = served;
    this.metrics = metrics;
    this.json = json;
  }

  /** Builds the rules at start-up, so a configuration whose results would re-trigger fails it. */
  void onStart(@Observes StartupEvent event) {
    LOG.debugf("S3 results go under %s (tag sources: %s)", rules, tagSource);
  }

  /**
   * Captions {@code ref} unless a result for this version and model exists.
   *
   * @throws TransientEventException when S3 or the model failed in a way a retry may fix
   */
  public Outcome caption(ObjectRef ref) {
    try {
      Outcome outcome = captionOnce(ref);
      metrics.outcome(outcome);
      log(outcome);
      return outcome;
    } catch (TransientEventException e) {
      metrics.transientFailure();
      LOG.warnf("%s left for retry: %s", ref, e.getCause() == null ? e.getMessage() : e.getCause());
      throw e;
    }
  }

  private Outcome captionOnce(ObjectRef ref) {
    Optional<String> skip = rules.skipReason(ref);
    if (skip.isPresent()) {
      return Outcome.skipped(ref, skip.get());
    }
    if (rules.tooLarge(ref.size())) {
      return failAndRecord(ref, null, "too_large", "Image too large", sizeDetail(ref.size()), 0, 0);
    }
    ObjectRef resolved = ref;
    if (ref.versionId() == null && ref.eTag() == null) {
      // S3 Batch tasks on unversioned buckets name no revision: ask S3 for the current one.
      Optional<ObjectRef> head = s3(ref, () -> store.head(ref));
      if (head.isEmpty()) {
        return new Outcome(Outcome.Status.FAILED, ref, null, "source object does not exist");
      }
      resolved = head.get();
      if (rules.tooLarge(resolved.size())) {
        return failAndRecord(
            resolved, null, "too_large", "Image too large", sizeDetail(resolved.size()), 0, 0);
      }
    }
    Manifest m = served.manifest();
    String resultKey = rules.resultKey(resolved, m.modelId(), m.modelVersion());
    CompletableFuture<Outcome> mine = new CompletableFuture<>();
    CompletableFuture<Outcome> running = inFlight.putIfAbsent(resultKey, mine);
    if (running != null) {
      return awaitDuplicate(resolved, resultKey, running);
    }
    try {
      Outcome outcome = work(resolved, resultKey);
      mine.complete(outcome);
      return outcome;
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(resultKey, mine);
    }
  }

  private Outcome work(ObjectRef ref, String resultKey) {
    String bucket = rules.outputBucket(ref);
    if (s3(ref, () -> store.exists(bucket, resultKey))) {
      return new Outcome(Outcome.Status.ALREADY_DONE, ref, resultKey, "result exists");
    }
    long t0 = System.nanoTime();
    S3Store.Source source;
    try {
      source = store.read(ref, rules.maxBytes());
    } catch (S3Store.TooLargeException e) {
      return failAndRecord(ref, null, "too_large", "Image too large", e.getMessage(), t0, 0);
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return failAndRecord(
            ref,
            null,
            "source_missing",
            "Source object not found",
            ref + " was deleted before it could be captioned (" + errorCode(e) + ")",
            t0,
            0);
      }
      if (e.statusCode() == 412) {
        return Outcome.skipped(
            ref, "overwritten since the event (ETag changed); its own event follows");
      }
      throw transientS3(ref, e);
    } catch (SdkException | java.io.UncheckedIOException e) {
      throw new TransientEventException(ref, "reading the object failed", e);
    }
    long t1 = System.nanoTime();
    CaptionResult result;
    try {
      result = captioner.caption(source.bytes(), source.contentType(), CaptionOptions.defaults());
      metrics.inference();
    } catch (AligncapException e) {
      if (e.kind().transientFailure || e.kind().status >= 500) {
        throw new TransientEventException(ref, "captioning failed: " + e.getMessage(), e);
      }
      return failAndRecord(ref, source, type(e), e.kind().title, e.getMessage(), t0, t1);
    } catch (RuntimeException e) {
      throw new TransientEventException(ref, "captioning failed unexpectedly", e);
    }
    ResultDocument doc =
        ResultDocument.succeeded(sourceInfo(ref, source), model(), result, timings(t0, t1));
    return write(ref, resultKey, doc, Outcome.Status.CAPTIONED, null);
  }

  private Outcome failAndRecord(
      ObjectRef ref,
      S3Store.Source source,
      String type,
      String title,
      String detail,
      long t0,
      long t1) {
    Manifest m = served.manifest();
    if (ref.versionId() == null && ref.eTag() == null) {
      return new Outcome(Outcome.Status.FAILED, ref, null, type + ": " + detail);
    }
    String resultKey = rules.resultKey(ref, m.modelId(), m.modelVersion());
    ResultDocument doc =
        ResultDocument.failed(
            sourceInfo(ref, source),
            model(),
            new ErrorInfo(type, title, detail),
            t0 == 0 ? Map.of() : timings(t0, t1));
    return write(ref, resultKey, doc, Outcome.Status.FAILED, type + ": " + detail);
  }

  private Outcome write(
      ObjectRef ref, String resultKey, ResultDocument doc, Outcome.Status status, String detail) {
    byte[] body;
    try {
      body = json.writeValueAsBytes(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("result JSON for " + ref + " does not serialise", e);
    }
    String bucket = rules.outputBucket(ref);
    boolean wrote = s3(ref, () -> store.putIfAbsent(bucket, resultKey, body, JSON_TYPE));
    if (!wrote) {
      return new Outcome(Outcome.Status.ALREADY_DONE, ref, resultKey, "written concurrently");
    }
    if (tagSource && doc.source().etag() != null && !"source_missing".equals(errorType(doc))) {
      tag(ref, doc.status());
    }
    return new Outcome(status, ref, resultKey, detail);
  }

  private static String errorType(ResultDocument doc) {
    return doc.error() == null ? null : doc.error().type();
  }

  private void tag(ObjectRef ref, String status) {
    Manifest m = served.manifest();
    try {
      store.tag(
          ref,
          Map.of(
              "aligncap-status", status, "aligncap-model", m.modelId() + "@" + m.modelVersion()));
    } catch (SdkException e) {
      // The result is written and is the record; a missing tag must not redo the work.
      LOG.warnf("%s: result written but the source not tagged: %s", ref, e.getMessage());
    }
  }

  private Outcome awaitDuplicate(
      ObjectRef ref, String resultKey, CompletableFuture<Outcome> running) {
    try {
      running.join();
      return new Outcome(
          Outcome.Status.ALREADY_DONE, ref, resultKey, "duplicate of an event in flight");
    } catch (CompletionException e) {
      throw new TransientEventException(ref, "a duplicate in flight failed", e.getCause());
    }
  }

  /** Runs an S3 call whose failures are transient (throttling, 5xx, 403, network). */
  private <T> T s3(ObjectRef ref, java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (S3Exception e) {
      throw transientS3(ref, e);
    } catch (SdkException e) {
      throw new TransientEventException(ref, "S3 call failed", e);
    }
  }

  private static TransientEventException transientS3(ObjectRef ref, S3Exception e) {
    // 403 included: a missing permission is fixed by an operator, then redelivery succeeds.
    return new TransientEventException(
        ref, "S3 answered " + e.statusCode() + " " + errorCode(e), e);
  }

  private static String errorCode(S3Exception e) {
    return e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
  }

  private Model model() {
    Manifest m = served.manifest();
    return new Model(m.modelId(), m.modelVersion());
  }

  private static SourceInfo sourceInfo(ObjectRef ref, S3Store.Source source) {
    return new SourceInfo(
        ref.bucket(),
        ref.key(),
        source != null && source.versionId() != null ? source.versionId() : ref.versionId(),
        source != null && source.eTag() != null ? source.eTag().replace("\"", "") : ref.eTag(),
        source != null ? Long.valueOf(source.bytes().length) : ref.size(),
        source == null ? null : source.contentType(),
        ref.eventName(),
        ref.eventTime());
  }

  private static Map<String, Long> timings(long t0, long t1) {
    long now = System.nanoTime();
    Map<String, Long> t = new LinkedHashMap<>();
    if (t1 != 0) {
      t.put("read", (t1 - t0) / 1_000_000);
      t.put("caption", (now - t1) / 1_000_000);
    }
    t.put("total", (now - t0) / 1_000_000);
    return t;
  }

  private String sizeDetail(Long size) {
    return "the object is "
        + size
        + " bytes, more than the limit of "
        + rules.maxBytes()
        + " (aligncap.image.max-bytes)";
  }

  /** "Invalid image" → "invalid_image": a stable failure type from the core's problem title. */
  private static String type(AligncapException e) {
    return e.kind().title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
  }

  private static void log(Outcome o) {
    switch (o.status()) {
      case CAPTIONED -> LOG.infof("%s captioned -> %s", o.object(), o.resultKey());
      case FAILED -> LOG.warnf("%s cannot be captioned: %s", o.object(), o.detail());
      default -> LOG.debugf("%s %s: %s", o.object(), o.status(), o.detail());
    }
  }
}
