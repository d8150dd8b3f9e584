package io.kindling.shipper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;
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

    private final Path root;
    private final long warnBytes;
    private final ShipperMetrics metrics;
    private boolean over;

    SpoolUsage(Path root, long warnBytes, ShipperMetrics metrics) {
        this.root = root;
        this.warnBytes = warnBytes;
        this.metrics = metrics;
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

    static long size(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.mapToLong(SpoolUsage::sizeOf).sum();
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                return 0; // a directory was removed while walking: measure again next round
            }
            throw e.getCause();
        }
    }

    private static long sizeOf(Path path) {
        try {
            return Files.isRegularFile(path) ? Files.size(path) : 0;
        } catch (IOException e) {
            return 0; // removed while walking
        }
    }
}
