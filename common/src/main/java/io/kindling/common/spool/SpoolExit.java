package io.kindling.common.spool;

import java.time.Instant;

/** {@code exit.json}: the driver has ended; no more bytes will be written to the spool. */
public record SpoolExit(Integer exitCode, Instant finishedAt) {
}
