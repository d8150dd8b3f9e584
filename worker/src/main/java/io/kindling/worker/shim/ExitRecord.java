package io.kindling.worker.shim;

import io.kindling.common.spool.SpoolAttempt;
import java.nio.file.Path;

/**
 * An attempt's exit record, {@code <spool>/.exits/<attemptId>.json} (a hidden directory, which
 * the log-shipper neither ships nor removes), written by the {@link AttemptShim} when spark-submit
 * has ended. The worker completes it into {@code exit.json} (after which the log-shipper may ship
 * and remove the attempt directory at any moment); the record stays, so an end whose report was
 * not acknowledged yet is still known once the directory is gone. Once the attempt's end report is
 * acknowledged the worker renames the record {@code <attemptId>.json.reported} and keeps it a
 * while, so that an assignment delivered again after a crash is not launched again.
 *
 * @param attempt the attempt's {@code attempt.json}, as the shim read it at start (null if unreadable)
 */
public record ExitRecord(SpoolAttempt attempt, ShimExit exit) {
    public static final String DIR = ".exits";

    public static Path file(Path spoolRoot, String attemptId) {
        return spoolRoot.resolve(DIR).resolve(attemptId + ".json");
    }
}
