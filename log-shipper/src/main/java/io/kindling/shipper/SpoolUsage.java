package io.kindling.shipper;

import io.kindling.common.spool.FreeAttemptDirs;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures the spool. The worker writes it and the shipper never truncates it, so a spool that
 * outgrows its warning size (the store has been down for long, or cannot keep up) is reported:
 * once at ERROR when it crosses the size, again when it is back under, and always as the
 * {@code kindling_shipper_spool_full} gauge. Owned by the shipping thread.
 */
final class SpoolUsage {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolUsage.class);

    /** The spool is measured at most this often: a walk over all of it costs a stat per file. */
    static final Duration INTERVAL = Duration.ofSeconds(5);

    private final Path root;
    private final long warnBytes;
    private final ShipperMetrics metrics;
    private boolean over;
    private long measuredAtMillis = Long.MIN_VALUE;

    SpoolUsage(Path root, long warnBytes, ShipperMetrics metrics) {
        this.root = root;
        this.warnBytes = warnBytes;
        this.metrics = metrics;
    }

    /** {@link #measure}s the spool if it was last measured {@link #INTERVAL} or longer before {@code nowMillis}. */
    void measureIfDue(long nowMillis) throws IOException {
        if (measuredAtMillis == Long.MIN_VALUE || nowMillis - measuredAtMillis >= INTERVAL.toMillis()) {
            measuredAtMillis = nowMillis;
            measure();
        }
    }

    /** Measures the spool, updates the gauges and reports a crossing; returns the size in bytes. */
    long measure() throws IOException {
        long bytes = size(root);
        metrics.spool(bytes, warnBytes);
        if (bytes > warnBytes && !over) {
            over = true;
            LOG.error("the spool {} holds {} bytes, more than KINDLING_SHIPPER_SPOOL_WARN_BYTES={}: the blob store is "
                    + "down or too slow; nothing is dropped, but the disk may fill up", root, bytes, warnBytes);
        } else if (bytes <= warnBytes && over) {
            over = false;
            LOG.info("the spool {} is back under its warning size: {} bytes", root, bytes);
        }
        return bytes;
    }

    /**
     * The bytes in the spool's regular files: one stat per entry (a file removed meanwhile counts
     * 0). The directories kept for new attempts ({@link FreeAttemptDirs}) are left out: they hold
     * nothing to ship, at most a bounded number of zeroed files, and walking them would cost
     * thousands of stats every interval on a spool that is otherwise empty.
     */
    static long size(Path root) throws IOException {
        long[] bytes = {0};
        Path kept = root.resolve(FreeAttemptDirs.DIR);
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                return dir.equals(kept) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                bytes[0] += attributes.isRegularFile() ? attributes.size() : 0;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // no spool yet, or removed while walking (a shipped attempt)
                }
                throw e;
            }
        });
        return bytes[0];
    }
}
