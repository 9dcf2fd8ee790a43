package io.aligncap.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Every setting of the service, under the prefix {@code aligncap}. Defaults live here (and are
 * listed in {@code application.properties}); code reads them from this mapping, never from
 * literals. Environment variables follow the usual rule, e.g. {@code ALIGNCAP_MODEL_PATH}.
 */
@ConfigMapping(prefix = "aligncap")
public interface AligncapConfig {

  Model model();

  Inference inference();

  Batching batching();

  Image image();

  Decoding decoding();

  Alignment alignment();

  Api api();

  Aws aws();

  /** Where the model package is. */
  interface Model {
    /**
     * A directory holding {@code manifest.json}; a relative path that does not exist on disk is
     * looked up on the class path (the build bundles the default model into the jar), and a {@code
     * classpath:} prefix forces that. {@code s3://bucket/prefix/} downloads every object under the
     * prefix into a private temporary directory at start-up (S3 client settings: {@code
     * aligncap.aws.*}).
     */
    @WithDefault("models/scenes-v2")
    String path();
  }

  /** ONNX Runtime settings. */
  interface Inference {
    /**
     * Execution providers in order of preference ({@code cuda}, {@code tensorrt}, {@code cpu});
     * each one that cannot be added is logged and skipped.
     */
    @WithDefault("cuda,tensorrt,cpu")
    List<String> providers();

    /**
     * Strict GPU mode: readiness stays down (and requests get 503) unless a GPU provider was added,
     * so a GPU pod never serves silently on CPU.
     */
    @WithDefault("false")
    boolean requireGpu();

    /** CUDA / TensorRT device ordinal. */
    @WithDefault("0")
    int deviceId();

    /** Threads inside one operator; 0 lets ONNX Runtime choose (one per core). */
    @WithDefault("0")
    int intraOpThreads();

    /** Threads running independent operators in parallel; 0 lets ONNX Runtime choose. */
    @WithDefault("1")
    int interOpThreads();

    /**
     * Whether ONNX Runtime's worker threads spin while waiting for work. Spinning lowers latency on
     * idle dedicated cores but burns CPU that concurrent requests (and neighbours) need.
     */
    @WithDefault("false")
    boolean spinWait();

    /**
     * Whether start-up runs one inference on every graph before the service turns ready (and, on
     * Lambda with SnapStart, again just before the snapshot: SnapStartPriming). Off, the first
     * request pays for it instead: what a Lambda without SnapStart wants, since its init is what a
     * cold start waits for and warm-up also captions every region (issue 12).
     */
    @WithDefault("true")
    boolean warmUp();
  }

  /**
   * Dynamic batching across concurrent requests (issue 12): images of concurrent requests go
   * through the image encoder together, and the live beams of concurrent captions through one
   * decoder call per step. A request that finds a graph idle runs at once; requests that arrive
   * while it runs are grouped into the next run. Off on Lambda (one request per instance: the SAM
   * template sets {@code ALIGNCAP_BATCHING_ENABLED=false}). Results are the same token for token
   * (BatchingTest).
   */
  interface Batching {
    @WithDefault("true")
    boolean enabled();

    /**
     * Most images per image-encoder run; a package whose image encoder has a fixed batch axis
     * (models/FORMAT.md: 1 for the pretrained torchvision front end) caps it at that.
     */
    @WithDefault("8")
    int maxImages();

    /** Most beams (rows) per decoder or region-decoder call, summed over the requests grouped. */
    @WithDefault("64")
    int maxBeams();

    /**
     * How long the request that leads a run waits for more to join before it runs. 0: never wait
     * (grouping then comes only from requests that queue while a run is in progress, which costs a
     * lone request nothing).
     */
    @WithDefault("0ms")
    Duration maxWait();
  }

  /**
   * Limits checked from the image header before any full decode. (Subsampling is not a setting: it
   * is part of the model's preprocessing, models/FORMAT.md rule 3.)
   */
  interface Image {
    /** Largest accepted encoded image, in bytes. */
    @WithDefault("16777216")
    long maxBytes();

    @WithDefault("16384")
    int maxWidth();

    @WithDefault("16384")
    int maxHeight();

    /**
     * Largest accepted width × height (a 65536×65536 PNG is a few hundred KB). With the defaults
     * below, a pod with 2 GiB (heap 25 %) holds the worst case: deploy/README.md "Memory budget".
     */
    @WithDefault("25000000")
    long maxPixels();

    /**
     * Largest memory one decode may take, estimated from the header before any pixel is decoded
     * (io.aligncap.image.DecodeCost: a progressive JPEG keeps 2 bytes per DCT coefficient of the
     * whole image, a WebP 4 bytes per pixel); a larger image gets a 413.
     */
    @WithDefault("167772160") // 160 MiB
    long maxDecodeBytes();

    /**
     * Images decoded at once (the decode bulkhead, issue 11): with {@link #maxDecodeBytes()} this
     * bounds the decoding memory at their product.
     */
    @WithDefault("2")
    int maxConcurrentDecodes();

    /**
     * How long a request waits for a decode slot before it is refused with a 503 whose {@code
     * Retry-After} is this wait (rounded up to seconds).
     */
    @WithDefault("5s")
    Duration decodeWait();
  }

  /** Caption decoding: per-request option defaults and bounds. */
  interface Decoding {
    @WithDefault("3")
    int defaultBeamSize();

    @WithDefault("10")
    int maxBeamSize();

    /** Default caption length limit; absent means the manifest's {@code decoder.max_length}. */
    OptionalInt defaultMaxLength();

    /** Upper bound a request may ask for as {@code max_length}. */
    @WithDefault("50")
    int maxMaxLength();

    /** Length-normalisation exponent alpha (0 = rank by the summed log-probability). */
    @WithDefault("0.0")
    double defaultLengthNormalization();

    /** Largest alpha a request may ask for (beyond it, ranking is all about length). */
    @WithDefault("10.0")
    double maxLengthNormalization();

    @WithDefault("1")
    int defaultResults();

    /** Most boxes one request may ask region captions for. */
    @WithDefault("16")
    int maxRegions();
  }

  /** Alignment and ranking bounds. */
  interface Alignment {
    /** Most words (tokens) in one sentence to align or rank. */
    @WithDefault("64")
    int maxWords();

    /** Most candidate sentences in one ranking request. */
    @WithDefault("100")
    int maxCandidates();

    /**
     * Largest MRF β a request may ask for on {@code /v1/alignments} (the least is 0; absent, the
     * manifest's {@code alignment.mrf_beta} is used). Beyond a few times the typical word–region
     * score every sentence is one snippet.
     */
    @WithDefault("10.0")
    double maxBeta();
  }

  /** HTTP API settings (CORS is Quarkus's own {@code quarkus.http.cors.*}). */
  interface Api {
    /** When set, every {@code /v1} request must carry this key in {@link #keyHeader()}. */
    Optional<String> key();

    @WithDefault("X-API-Key")
    String keyHeader();

    /**
     * Longest request URL (path and query) accepted; a longer one gets a 414 problem. Raw-body
     * rankings carry their candidates in the query: 100 candidates of a few words fit. ({@code
     * quarkus.http.limits.max-initial-line-length} stays above it: past that the HTTP codec answers
     * an empty 414 itself.)
     */
    @WithDefault("65536")
    int maxUrlLength();

    /**
     * How long a client has to send a whole request body, from its headers on: an unfinished upload
     * is answered 408 and its connection closed, so that slow uploads cannot pile up.
     */
    @WithDefault("60s")
    Duration uploadTimeout();

    /**
     * Bytes of request bodies held in memory at once, all requests together (issue 11): JSON and
     * raw bodies from their first byte, a form's image part from when it is read, until the answer
     * is sent. A request that would go over it gets a 503 with {@code Retry-After}. It bounds what
     * bodies cost the heap, a few times this (the buffer, the JSON text, the decoded bytes); it
     * counts bytes received, not declared, so stalled uploads hold only what they sent. At least
     * {@code quarkus.http.limits.max-body-size}: deploy/README.md "Memory budget".
     */
    @WithDefault("50331648") // 48 MiB: two bodies of the largest size
    long maxBufferedBodyBytes();
  }

  /**
   * AWS SDK clients (S3 for an {@code s3://} model path and the event modes, SQS for the worker).
   * Credentials come from the SDK's default chain.
   */
  interface Aws {
    /** Region; absent: the SDK's default chain ({@code AWS_REGION} on Lambda). */
    Optional<String> region();

    /** S3 endpoint override (an S3-compatible server); absent: AWS. */
    Optional<URI> s3Endpoint();

    /** Path-style S3 addressing (most S3-compatible servers need it). */
    @WithDefault("false")
    boolean s3PathStyle();

    /** SQS endpoint override; absent: AWS. */
    Optional<URI> sqsEndpoint();

    /** Attempts per call, first included; throttling (503 SlowDown) and 5xx are retried. */
    @WithDefault("4")
    int maxAttempts();

    /** Limit for one call, retries included (an SQS call gets 20 s more: its long poll). */
    @WithDefault("60s")
    Duration apiCallTimeout();
  }
}
