package io.kindling.shipper;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The log-shipper's counters and gauges, rendered in the Prometheus text format by
 * {@link HealthServer}. Safe to update from any thread.
 */
public final class ShipperMetrics {
    private final LongAdder bytesShipped = new LongAdder();
    private final LongAdder storeFailures = new LongAdder();
    private final AtomicLong spoolBytes = new AtomicLong();
    private final AtomicLong spoolWarnBytes = new AtomicLong();
    private final AtomicLong lastRoundMillis = new AtomicLong();

    /** Bytes appended to the store (driver output, event logs and pod logs). */
    public void shipped(long bytes) {
        bytesShipped.add(bytes);
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

    public long bytesShipped() {
        return bytesShipped.sum();
    }

    public long storeFailures() {
        return storeFailures.sum();
    }

    public long spoolBytes() {
        return spoolBytes.get();
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

    /** The Prometheus text exposition (format 0.0.4). */
    public String prometheus() {
        StringBuilder out = new StringBuilder(1024);
        metric(out, "kindling_shipper_bytes_shipped_total", "counter", "Bytes appended to the blob store.",
                bytesShipped());
        metric(out, "kindling_shipper_store_failures_total", "counter",
                "Shipping rounds that failed because of the blob store.", storeFailures());
        metric(out, "kindling_shipper_spool_bytes", "gauge", "Bytes in the spool directory.", spoolBytes());
        metric(out, "kindling_shipper_spool_warn_bytes", "gauge", "Spool size above which the spool is reported full.",
                spoolWarnBytes.get());
        metric(out, "kindling_shipper_spool_full", "gauge", "1 while the spool is larger than its warning size.",
                spoolFull() ? 1 : 0);
        metric(out, "kindling_shipper_last_round_timestamp_seconds", "gauge", "When the last spool round ended.",
                lastRoundMillis() / 1000);
        return out.toString();
    }

    private static void metric(StringBuilder out, String name, String type, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n')
                .append(name).append(' ').append(value).append('\n');
    }
}
