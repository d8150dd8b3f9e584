package io.kindling.worker;

import io.kindling.schemas.FailureReason;

/**
 * Why the worker stops an attempt it holds: CANCELLED (a cancel control), TIMED_OUT (its
 * {@code timeoutSeconds}, or a control saying so), LOST (its lease ran out: the worker could not
 * report for too long). Written to the spool as {@code stop.json} so a restarted worker knows.
 */
public record StopRequest(FailureReason reason, String message) {
}
