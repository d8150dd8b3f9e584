package io.kindling.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kindling.schemas.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Whether the log-shipper keeps up: after a run's last job has ended, waits until the spool holds
 * no attempt directory (every attempt shipped, its spool removed) and reports how long that took,
 * the attempts shipped per second from the run's start until then, and the shipper's threads' CPU
 * per job since the run's start.
 */
final class ShipperDrain {
    private static final Duration MAX_WAIT = Duration.ofMinutes(10);

    private ShipperDrain() {
    }

    static ObjectNode await(Path spool, Instant runStart, ThreadCpu sinceRunStart, int jobs)
            throws IOException, InterruptedException {
        Instant jobsEnded = Instant.now();
        int left = attemptDirs(spool);
        int atEnd = left;
        long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        while (left > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50); // polling the spool directory
            left = attemptDirs(spool);
        }
        Instant drained = Instant.now();
        long shipperNanos = 0;
        for (Map.Entry<String, Long> thread : sinceRunStart.since().entrySet()) {
            if (thread.getKey().startsWith("log-shipper")) {
                shipperNanos += thread.getValue();
            }
        }
        ObjectNode json = Json.mapper().createObjectNode();
        json.put("spoolAttemptsWhenJobsEnded", atEnd);
        json.put("spoolAttemptsLeft", left);
        json.put("secondsToEmptySpoolAfterJobsEnded", seconds(jobsEnded, drained));
        json.put("shippedAttemptsPerSecond", Math.round(jobs / Math.max(seconds(runStart, drained), 1e-3) * 10) / 10.0);
        json.put("cpuMsPerJob", Math.round(shipperNanos / 1e6 / Math.max(jobs, 1) * 100) / 100.0);
        return json;
    }

    private static double seconds(Instant from, Instant to) {
        return Math.round(Duration.between(from, to).toMillis() / 100.0) / 10.0;
    }

    /** Attempt directories in the spool (hidden entries such as {@code .exits} are not attempts). */
    private static int attemptDirs(Path spool) throws IOException {
        if (!Files.isDirectory(spool)) {
            return 0;
        }
        try (Stream<Path> entries = Files.list(spool)) {
            return (int) entries.filter(p -> !p.getFileName().toString().startsWith(".") && Files.isDirectory(p)).count();
        }
    }
}
