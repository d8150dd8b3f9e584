package io.kindling.shipper;

import io.kindling.blobstore.BlobStoreConfig;
import io.kindling.common.config.ConfigException;
import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.EnvConfig;
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
 */
public record ShipperConfig(SpoolLayout spool, Duration pollInterval, boolean keepSpool, Duration initialBackoff,
        Duration maxBackoff, BlobStoreConfig blobStore) {

    public static final ConfigParameter<Integer> POLL_MILLIS = ConfigParameter.integer(
            "KINDLING_SHIPPER_POLL_MILLIS", 200, 10, 60_000, "milliseconds between two shipping rounds");
    public static final ConfigParameter<Boolean> KEEP_SPOOL = ConfigParameter.bool(
            "KINDLING_SHIPPER_KEEP_SPOOL", false, "keep an attempt's spool directory after it is shipped");

    /** The shipper's own keys, for the start-up log (the blob store describes itself). */
    public static final List<ConfigParameter<?>> PARAMETERS =
            List.of(SpoolLayout.SPOOL_DIR, POLL_MILLIS, KEEP_SPOOL);

    static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
    static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);

    public ShipperConfig {
        Objects.requireNonNull(spool, "spool");
        Objects.requireNonNull(blobStore, "blobStore");
        requirePositive("pollInterval", pollInterval);
        requirePositive("initialBackoff", initialBackoff);
        requirePositive("maxBackoff", maxBackoff);
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
                config.get(KEEP_SPOOL), DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF, blobStore);
    }

    /** The same settings with another backoff (tests shorten it). */
    public ShipperConfig withBackoff(Duration initial, Duration max) {
        return new ShipperConfig(spool, pollInterval, keepSpool, initial, max, blobStore);
    }

    /** The same settings, keeping or removing shipped spool directories. */
    public ShipperConfig withKeepSpool(boolean keep) {
        return new ShipperConfig(spool, pollInterval, keep, initialBackoff, maxBackoff, blobStore);
    }

    /** The effective settings, one per line, secrets redacted: for the start-up log. */
    public String describe() {
        return "  spool=" + spool.root()
                + "\n  " + POLL_MILLIS.name() + "=" + pollInterval.toMillis()
                + "\n  " + KEEP_SPOOL.name() + "=" + keepSpool
                + "\n  backoff=" + initialBackoff.toMillis() + ".." + maxBackoff.toMillis() + " ms"
                + "\n  blob store: " + blobStore.describe();
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
