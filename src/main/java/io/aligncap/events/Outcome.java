package io.aligncap.events;

/**
 * What captioning one object came to. Every outcome is final for that object version: the event
 * that produced it can be acknowledged. Failures that a retry may fix are not outcomes but a {@link
 * TransientEventException}.
 *
 * @param status what happened
 * @param object the object
 * @param resultKey the result's key in the output bucket, or null when skipped before one was named
 * @param detail why (skips and failures), or null
 */
public record Outcome(Status status, ObjectRef object, String resultKey, String detail) {

  public enum Status {
    /** Captioned now; the result was written. */
    CAPTIONED,
    /** A result for this object version and model already existed: no work done. */
    ALREADY_DONE,
    /** Not captioned by design (not an image, under the output prefix, superseded...). */
    SKIPPED,
    /**
     * Cannot ever be captioned (corrupt image, too large, deleted); a failure result was written.
     */
    FAILED
  }

  public static Outcome skipped(ObjectRef object, String why) {
    return new Outcome(Status.SKIPPED, object, null, why);
  }
}
