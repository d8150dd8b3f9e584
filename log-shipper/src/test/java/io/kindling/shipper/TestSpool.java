package io.kindling.shipper;

import io.kindling.common.spool.SpoolAttempt;
import io.kindling.common.spool.SpoolExit;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.AttemptId;
import io.kindling.schemas.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** A spool written the way a worker writes it. */
final class TestSpool {
    final SpoolLayout layout;

    TestSpool(Path root) {
        this.layout = new SpoolLayout(root);
    }

    /** A shipper's settings for this spool and blobs: polling and backing off every {@code millis}, up to 8 times that. */
    ShipperConfig shipperConfig(Path blobs, long millis) {
        return ShipperConfig.fromEnv(Map.of(
                        "KINDLING_SPOOL_DIR", layout.root().toString(),
                        "KINDLING_BLOB_DIR", blobs.toString(),
                        "KINDLING_SHIPPER_POLL_MILLIS", Long.toString(millis)))
                .withBackoff(Duration.ofMillis(millis), Duration.ofMillis(8 * millis));
    }

    /** Creates the attempt's directory with its attempt.json; returns the attempt id. */
    String attempt(String tenant, String jobId, int attempt) {
        String attemptId = AttemptId.of(jobId, attempt);
        SpoolAttempt record = new SpoolAttempt(jobId, attempt, attemptId, tenant, "default", "worker-1", Instant.now());
        writeAtomically(layout.attemptFile(attemptId), Json.encode(record));
        return attemptId;
    }

    void append(String attemptId, String stream, String text) {
        append(attemptId, stream, text.getBytes(StandardCharsets.UTF_8));
    }

    void append(String attemptId, String stream, byte[] bytes) {
        try {
            Files.write(layout.stream(attemptId, stream), bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] read(String attemptId, String stream) {
        try {
            return Files.readAllBytes(layout.stream(attemptId, stream));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path eventLog(String attemptId, String name, byte[] bytes) {
        Path file = layout.eventLogDir(attemptId).resolve(name);
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Spark's rename of {@code <appId>.inprogress} to {@code <appId>} when the application stops. */
    void finishEventLog(String attemptId, String appId) {
        Path dir = layout.eventLogDir(attemptId);
        try {
            Files.move(dir.resolve(appId + ".inprogress"), dir.resolve(appId), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** exit.json: the driver ended; nothing more is written. */
    void exit(String attemptId, int exitCode) {
        writeAtomically(layout.exitFile(attemptId), Json.encode(new SpoolExit(exitCode, Instant.now())));
    }

    private static void writeAtomically(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(temp, bytes);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
