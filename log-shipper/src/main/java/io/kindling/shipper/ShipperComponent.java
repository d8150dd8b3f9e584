package io.kindling.shipper;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.BlobStoreException;
import io.kindling.blobstore.BlobStores;
import io.kindling.common.lifecycle.ShutdownSequence;
import io.kindling.common.management.Management;
import io.kindling.common.management.ManagementConfig;
import io.kindling.shipper.pods.PodLogSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running log-shipper: its blob store (when it opened it), its {@link LogShipper}, the
 * {@link PodLogSource} when a namespace is configured; its meters and health checks go to the
 * process's {@link Management} (or, started alone, one of its own, served when
 * {@code KINDLING_SHIPPER_HEALTH_PORT} is set). The entry point for {@link ShipperMain} and for the embedded launcher; {@link #close()}
 * stops the endpoint and the sources (each after its current round), then closes the store it
 * opened.
 */
public final class ShipperComponent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShipperComponent.class);
    /** A prefix nothing is stored under: listing it proves the store answers. */
    static final String HEALTH_PROBE_PREFIX = "health-probe/";

    private final ShutdownSequence shutdown;
    private final ShipperMetrics metrics;
    private final Management management;

    private ShipperComponent(ShutdownSequence shutdown, ShipperMetrics metrics, Management management) {
        this.shutdown = shutdown;
        this.metrics = metrics;
        this.management = management;
    }

    /** Reads the configuration from env, opens the blob store it names and starts shipping. */
    public static ShipperComponent start(Map<String, String> env) {
        return start(ShipperConfig.fromEnv(env));
    }

    /** As {@link #start(Map)}, its meters and health in the process's registries. */
    public static ShipperComponent start(Map<String, String> env, Management management) {
        return start(ShipperConfig.fromEnv(env), management);
    }

    /**
     * Opens the blob store config names and starts shipping, with meters and health of its own:
     * served on {@code KINDLING_SHIPPER_HEALTH_PORT} when it is set, else nowhere.
     */
    public static ShipperComponent start(ShipperConfig config) {
        ShutdownSequence shutdown = new ShutdownSequence();
        try {
            Management management = shutdown.add("management", ownManagement(config));
            return start(config, management, shutdown);
        } catch (RuntimeException e) {
            shutdown.close();
            throw e;
        }
    }

    /**
     * Opens the blob store config names and starts shipping; close() closes the store too. While
     * the store cannot be reached this waits, retrying with backoff (not ready meanwhile): the spool
     * keeps everything, and a shipper restarted during a storage outage must not give up.
     */
    public static ShipperComponent start(ShipperConfig config, Management management) {
        ShutdownSequence shutdown = new ShutdownSequence();
        try {
            return start(config, management, shutdown);
        } catch (RuntimeException e) {
            shutdown.close();
            throw e;
        }
    }

    private static ShipperComponent start(ShipperConfig config, Management management, ShutdownSequence shutdown) {
        AtomicBoolean shipping = new AtomicBoolean();
        management.health().readiness("log-shipper", shipping::get);
        BlobStore store = shutdown.add("blob store", openStore(config));
        ShipperComponent component = start(config, store, management, shutdown);
        shipping.set(true);
        return component;
    }

    private static Management ownManagement(ShipperConfig config) {
        return config.healthPort() > 0 ? Management.start(new ManagementConfig("0.0.0.0", config.healthPort()))
                : Management.inMemory();
    }

    private static BlobStore openStore(ShipperConfig config) {
        RetrySchedule retry = new RetrySchedule(config.initialBackoff(), config.maxBackoff());
        while (true) {
            try {
                return BlobStores.open(config.blobStore());
            } catch (BlobStoreException e) {
                Duration wait = retry.failed(Instant.now());
                LOG.warn("cannot open the blob store (try {}); retrying in {} ms: {}", retry.failures(), wait.toMillis(),
                        e.getMessage());
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the blob store", interrupted);
                }
            }
        }
    }

    /** Starts shipping into a store the caller owns and closes itself (config.blobStore() is not used). */
    public static ShipperComponent start(ShipperConfig config, BlobStore store) {
        ShutdownSequence shutdown = new ShutdownSequence();
        try {
            Management management = shutdown.add("management", ownManagement(config));
            return start(config, store, management, shutdown);
        } catch (RuntimeException e) {
            shutdown.close();
            throw e;
        }
    }

    /** Starts shipping into a store the caller owns, reporting to the caller's registries. */
    public static ShipperComponent start(ShipperConfig config, BlobStore store, Management management) {
        ShutdownSequence shutdown = new ShutdownSequence();
        try {
            return start(config, store, management, shutdown);
        } catch (RuntimeException e) {
            shutdown.close();
            throw e;
        }
    }

    private static ShipperComponent start(ShipperConfig config, BlobStore store, Management management,
            ShutdownSequence shutdown) {
        ShipperMetrics metrics = new ShipperMetrics(management.registry());
        Clock clock = Clock.systemUTC();
        shutdown.add("log shipper", new LogShipper(config, store, clock, metrics).watchedBy(management.health()).start());
        management.health().readinessProbe("log-shipper.blob-store", () -> store.list(HEALTH_PROBE_PREFIX));
        if (config.k8sNamespace() != null) {
            KubernetesClient client = shutdown.add("kubernetes client", new KubernetesClientBuilder().build());
            shutdown.add("pod log source", new PodLogSource(client, config.k8sNamespace(), store, metrics, clock,
                    config.pollInterval(), config.maxBackoff()).start());
        }
        return new ShipperComponent(shutdown, metrics, management);
    }

    public ShipperMetrics metrics() {
        return metrics;
    }

    /** The registries the shipper reports to. */
    public Management management() {
        return management;
    }

    /** The port of the endpoint serving this shipper's health and metrics, or 0 when there is none. */
    public int healthPort() {
        return management.port();
    }

    @Override
    public void close() {
        shutdown.close();
    }
}
