package io.kindling.worker.shim;

import io.kindling.common.spool.SpoolAttempt;
import java.nio.file.Path;

/**
 * The worker's own copy of an attempt's exit, kept in {@code <spool>/.exits/<attemptId>.json}
 * (a hidden directory, which the log-shipper neither ships nor removes). The shim writes it just
 * before {@code exit.json}: once {@code exit.json} exists the log-shipper may ship and remove the
 * attempt directory at any moment, possibly before the worker has read it. Once the attempt's end
 * report is acknowledged the worker renames the record {@code <attemptId>.json.reported} and keeps
 * it a while, so that an assignment delivered again after a crash is not launched again.
 *
 * @param attempt the attempt's {@code attempt.json}, as the shim read it at start (null if unreadable)
 */
public record ExitRecord(SpoolAttempt attempt, ShimExit exit) {
    public static final String DIR = ".exits";

    public static Path file(Path spoolRoot, String attemptId) {
        return spoolRoot.resolve(DIR).resolve(attemptId + ".json");
    }
}
