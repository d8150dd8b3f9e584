package io.kindling.schemas;

/** Why a job or an attempt did not succeed. Retries are decided on this. */
public enum FailureReason {
    /** spark-submit (or the pod) could not start the application. */
    SUBMISSION_FAILED,
    /** The application ran and failed. */
    APP_FAILED,
    OOM_KILLED,
    IMAGE_PULL,
    TIMED_OUT,
    /** Its worker vanished. */
    LOST,
    CANCELLED,
    /** The request was invalid. */
    REJECTED
}
