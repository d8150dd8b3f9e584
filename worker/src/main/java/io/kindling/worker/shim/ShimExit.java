package io.kindling.worker.shim;

import io.kindling.schemas.FailureReason;
import java.time.Instant;

/**
 * {@code exit.json}, the last file of an attempt's spool: the driver has ended and no more bytes
 * will come. A superset of {@code io.kindling.common.spool.SpoolExit} ({@code exitCode},
 * {@code finishedAt}): readers of that record ignore the rest.
 *
 * @param exitCode   spark-submit's exit code (128 + signal when a signal ended it), null if it never ran
 * @param reason     set when the outcome is not read from the exit code: SUBMISSION_FAILED (never
 *                   started), LOST (its lease ran out, or its supervisor vanished)
 * @param message    a short reason for people when it did not succeed
 * @param sparkAppId the Spark application id, when it got one
 * @param terminated true when its supervisor was told to stop it (SIGTERM), or fenced it
 */
public record ShimExit(Integer exitCode, Instant finishedAt, FailureReason reason, String message, String sparkAppId,
        boolean terminated) {
}
