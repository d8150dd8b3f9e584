package io.kindling.shipper;

import io.kindling.blobstore.BlobStoreConfig;
import io.kindling.common.config.ConfigException;
import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.EnvConfig;
import io.kindling.common.spool.FreeAttemptDirs;
import io.kindling.common.spool.SpoolLayout;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the log-shipper reads from the environment.
 *
 * @param spool          where the workers spool driver output
 * @param pollInterval   pause between two shipping rounds
 * @param keepSpool      keep an attempt's spool directory once everything is shipped
 * @param initialBackoff first wait after the store failed for an attempt
 * @param maxBackoff     longest wait between two tries for an attempt while the store fails
 * @param blobStore      where the logs go
 * @param spoolWarnBytes a spool larger than this is reported (ERROR log, metric)
 * @param healthPort     the management port when set (overrides KINDLING_METRICS_PORT), 0 for unset
 * @param k8sNamespace   namespace whose driver pods' logs are shipped, null for none
 * @param threads        attempts shipped side by side (each mostly waits for the store: an fsync, a request)
 * @param keptDirs       shipped spool directories kept, emptied, for new attempts (0: each one is deleted)
 */
public record ShipperConfig(SpoolLayout spool, Duration pollInterval, boolean keepSpool, Duration initialBackoff,
        Duration maxBackoff, BlobStoreConfig blobStore, long spoolWarnBytes, int healthPort, String k8sNamespace,
        int threads, int keptDirs) {

    public static final ConfigParameter<Integer> POLL_MILLIS = ConfigParameter.integer(
            "KINDLING_SHIPPER_POLL_MILLIS", 200, 10, 60_000, "milliseconds between two shipping rounds");
    public static final ConfigParameter<Boolean> KEEP_SPOOL = ConfigParameter.bool(
            "KINDLING_SHIPPER_KEEP_SPOOL", false, "keep an attempt's spool directory after it is shipped");

    public static final long DEFAULT_SPOOL_WARN_BYTES = 10L * 1024 * 1024 * 1024;
    public static final ConfigParameter<Long> SPOOL_WARN_BYTES = new ConfigParameter<>(
            "KINDLING_SHIPPER_SPOOL_WARN_BYTES", ShipperConfig::positiveLong, Long.toString(DEFAULT_SPOOL_WARN_BYTES),
            false, false, "spool size in bytes above which the shipper reports the spool as full");
    public static final ConfigParameter<Integer> HEALTH_PORT = ConfigParameter.integer(
            "KINDLING_SHIPPER_HEALTH_PORT", 0, 0, 65535,
            "the shipper's management port (/metrics, /health/*) when set, instead of KINDLING_METRICS_PORT (0: unset)");
    public static final ConfigParameter<String> K8S_NAMESPACE = ConfigParameter.string(
            "KINDLING_SHIPPER_K8S_NAMESPACE", null, "namespace whose driver pods' logs are shipped (unset: pod logs off)");
    public static final int DEFAULT_THREADS = 32;
    public static final ConfigParameter<Integer> THREADS = ConfigParameter.integer(
            "KINDLING_SHIPPER_THREADS", DEFAULT_THREADS, 1, 256,
            "attempts shipped side by side, each on its own thread (they mostly wait for the store's fsyncs or requests)");

    public static final ConfigParameter<Integer> KEPT_DIRS = ConfigParameter.integer(
            "KINDLING_SHIPPER_KEPT_DIRS", FreeAttemptDirs.DEFAULT_CAPACITY, 0, 1_000_000,
            "shipped spool directories kept, emptied, for the worker's new attempts, instead of deleted"
                    + " (each about 12 KiB of disk; 0: delete every one)");

    /** The shipper's own keys, for the start-up log (the blob store describes itself). */
    public static final List<ConfigParameter<?>> PARAMETERS =
            List.of(SpoolLayout.SPOOL_DIR, POLL_MILLIS, KEEP_SPOOL, SPOOL_WARN_BYTES, HEALTH_PORT, K8S_NAMESPACE,
                    THREADS, KEPT_DIRS);

    static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
    static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);

    public ShipperConfig {
        Objects.requireNonNull(spool, "spool");
        Objects.requireNonNull(blobStore, "blobStore");
        requirePositive("pollInterval", pollInterval);
        requirePositive("initialBackoff", initialBackoff);
        requirePositive("maxBackoff", maxBackoff);
        if (spoolWarnBytes < 1) {
            throw new IllegalArgumentException("spoolWarnBytes must be positive, was " + spoolWarnBytes);
        }
        if (k8sNamespace != null && k8sNamespace.isBlank()) {
            k8sNamespace = null;
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, was " + threads);
        }
        if (keptDirs < 0) {
            throw new IllegalArgumentException("keptDirs must not be negative, was " + keptDirs);
        }
    }

    /**
     * The defaults for what the walking skeleton did not configure: warn at 10 GiB, no health port, no pod logs, 32
     * threads, 2,048 kept directories.
     */
    public ShipperConfig(SpoolLayout spool, Duration pollInterval, boolean keepSpool, Duration initialBackoff,
            Duration maxBackoff, BlobStoreConfig blobStore) {
        this(spool, pollInterval, keepSpool, initialBackoff, maxBackoff, blobStore, DEFAULT_SPOOL_WARN_BYTES, 0, null,
                DEFAULT_THREADS, FreeAttemptDirs.DEFAULT_CAPACITY);
    }

    public static ShipperConfig fromEnv(Map<String, String> env) {
        EnvConfig config = new EnvConfig(env);
        BlobStoreConfig blobStore;
        try {
            blobStore = BlobStoreConfig.fromEnv(env);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        return new ShipperConfig(SpoolLayout.from(config), Duration.ofMillis(config.get(POLL_MILLIS)),
                config.get(KEEP_SPOOL), DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF, blobStore,
                config.get(SPOOL_WARN_BYTES), config.get(HEALTH_PORT), config.get(K8S_NAMESPACE), config.get(THREADS),
                config.get(KEPT_DIRS));
    }

    /** The same settings with another backoff (tests shorten it). */
    public ShipperConfig withBackoff(Duration initial, Duration max) {
        return new ShipperConfig(spool, pollInterval, keepSpool, initial, max, blobStore, spoolWarnBytes, healthPort,
                k8sNamespace, threads, keptDirs);
    }

    /** The same settings, keeping or removing shipped spool directories. */
    public ShipperConfig withKeepSpool(boolean keep) {
        return new ShipperConfig(spool, pollInterval, keep, initialBackoff, maxBackoff, blobStore, spoolWarnBytes,
                healthPort, k8sNamespace, threads, keptDirs);
    }

    /** The same settings with another spool size limit. */
    public ShipperConfig withSpoolWarnBytes(long bytes) {
        return new ShipperConfig(spool, pollInterval, keepSpool, initialBackoff, maxBackoff, blobStore, bytes,
                healthPort, k8sNamespace, threads, keptDirs);
    }

    /** The same settings, shipping the driver pods' logs of namespace (null: none). */
    public ShipperConfig withK8sNamespace(String namespace) {
        return new ShipperConfig(spool, pollInterval, keepSpool, initialBackoff, maxBackoff, blobStore, spoolWarnBytes,
                healthPort, namespace, threads, keptDirs);
    }

    /** The effective settings, one per line, secrets redacted: for the start-up log. */
    public String describe() {
        return "  spool=" + spool.root()
                + "\n  " + POLL_MILLIS.name() + "=" + pollInterval.toMillis()
                + "\n  " + KEEP_SPOOL.name() + "=" + keepSpool
                + "\n  " + SPOOL_WARN_BYTES.name() + "=" + spoolWarnBytes
                + "\n  " + HEALTH_PORT.name() + "=" + healthPort
                + "\n  " + K8S_NAMESPACE.name() + "=" + (k8sNamespace == null ? "(pod logs off)" : k8sNamespace)
                + "\n  " + THREADS.name() + "=" + threads
                + "\n  " + KEPT_DIRS.name() + "=" + keptDirs
                + "\n  backoff=" + initialBackoff.toMillis() + ".." + maxBackoff.toMillis() + " ms"
                + "\n  blob store: " + blobStore.describe();
    }

    private static long positiveLong(String raw) {
        long value;
        try {
            value = Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected an integer");
        }
        if (value < 1) {
            throw new IllegalArgumentException("expected a positive number of bytes");
        }
        return value;
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
