package io.kindling.shipper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The log-shipper's meters, in the process's Micrometer registry (served as Prometheus text by
 * the management endpoint, {@code io.kindling.common.management}). Safe to update from any thread.
 */
public final class ShipperMetrics {
    private final Counter bytesShipped;
    private final Counter storeFailures;
    private final AtomicLong spoolBytes = new AtomicLong();
    private final AtomicLong spoolWarnBytes = new AtomicLong();
    private final AtomicLong lastRoundMillis = new AtomicLong();
    private final AtomicLong lagBytes = new AtomicLong();
    private final AtomicLong maxAttemptLagBytes = new AtomicLong();
    private final AtomicLong attempts = new AtomicLong();

    /** Meters in a registry of their own (tests). */
    public ShipperMetrics() {
        this(new SimpleMeterRegistry());
    }

    public ShipperMetrics(MeterRegistry registry) {
        bytesShipped = Counter.builder("kindling.shipper.shipped").baseUnit("bytes")
                .description("Bytes appended to the blob store (driver output, event logs, pod logs)").register(registry);
        storeFailures = Counter.builder("kindling.shipper.store.failures")
                .description("Shipping rounds or pod log copies that failed because of the blob store").register(registry);
        Gauge.builder("kindling.shipper.spool", spoolBytes, AtomicLong::get).baseUnit("bytes")
                .description("Bytes in the spool directory").register(registry);
        Gauge.builder("kindling.shipper.spool.warn", spoolWarnBytes, AtomicLong::get).baseUnit("bytes")
                .description("Spool size above which the spool is reported full").register(registry);
        Gauge.builder("kindling.shipper.spool.full", this, m -> m.spoolFull() ? 1 : 0)
                .description("1 while the spool is larger than its warning size").register(registry);
        Gauge.builder("kindling.shipper.last.round.timestamp", lastRoundMillis, v -> v.get() / 1000.0).baseUnit("seconds")
                .description("When the last spool round ended (Unix time)").register(registry);
        Gauge.builder("kindling.shipper.lag", lagBytes, AtomicLong::get).baseUnit("bytes")
                .description("Driver output in the spool not yet in the blob store, all attempts").register(registry);
        Gauge.builder("kindling.shipper.attempt.lag.max", maxAttemptLagBytes, AtomicLong::get).baseUnit("bytes")
                .description("The largest backlog of one attempt's driver output not yet in the blob store")
                .register(registry);
        Gauge.builder("kindling.shipper.attempts", attempts, AtomicLong::get)
                .description("Attempt directories in the spool being shipped").register(registry);
    }

    /** Bytes appended to the store (driver output, event logs and pod logs). */
    public void shipped(long bytes) {
        bytesShipped.increment(bytes);
    }

    /** A shipping round or a pod log copy failed because of the store. */
    public void storeFailed() {
        storeFailures.increment();
    }

    void spool(long bytes, long warnBytes) {
        spoolBytes.set(bytes);
        spoolWarnBytes.set(warnBytes);
    }

    void roundDone(long epochMillis) {
        lastRoundMillis.set(epochMillis);
    }

    /** After a round: the backlog of every attempt together, the largest one's, and how many attempts. */
    void lag(long totalBytes, long maxAttemptBytes, int attemptCount) {
        lagBytes.set(totalBytes);
        maxAttemptLagBytes.set(maxAttemptBytes);
        attempts.set(attemptCount);
    }

    public long bytesShipped() {
        return (long) bytesShipped.count();
    }

    public long storeFailures() {
        return (long) storeFailures.count();
    }

    public long spoolBytes() {
        return spoolBytes.get();
    }

    /** Bytes of driver output not yet shipped, after the last round. */
    public long lagBytes() {
        return lagBytes.get();
    }

    /** True when the spool has grown past its warning size. */
    public boolean spoolFull() {
        long warn = spoolWarnBytes.get();
        return warn > 0 && spoolBytes.get() > warn;
    }

    /** When the last spool round ended (epoch millis; 0 before the first). */
    public long lastRoundMillis() {
        return lastRoundMillis.get();
    }
}
