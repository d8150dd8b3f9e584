package io.kindling.shipper;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.BlobStoreException;
import io.kindling.blobstore.BlobStores;
import io.kindling.common.lifecycle.ShutdownSequence;
import io.kindling.shipper.pods.PodLogSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running log-shipper: its blob store (when it opened it), its {@link LogShipper}, the
 * {@link PodLogSource} when a namespace is configured, and the health and metrics endpoint when a
 * port is. The entry point for {@link ShipperMain} and for the embedded launcher; {@link #close()}
 * stops the endpoint and the sources (each after its current round), then closes the store it
 * opened.
 */
public final class ShipperComponent implements AutoCloseable {
    private static final String HEALTH_HOST = "0.0.0.0";
    private static final Logger LOG = LoggerFactory.getLogger(ShipperComponent.class);

    private final ShutdownSequence shutdown;
    private final ShipperMetrics metrics;
    private final HealthServer health;

    private ShipperComponent(ShutdownSequence shutdown, ShipperMetrics metrics, HealthServer health) {
        this.shutdown = shutdown;
        this.metrics = metrics;
        this.health = health;
    }

    /** Reads the configuration from env, opens the blob store it names and starts shipping. */
    public static ShipperComponent start(Map<String, String> env) {
        return start(ShipperConfig.fromEnv(env));
    }

    /**
     * Opens the blob store config names and starts shipping; close() closes the store too. While
     * the store cannot be reached this waits, retrying with backoff: the spool keeps everything
     * meanwhile, and a shipper restarted during a storage outage must not give up.
     */
    public static ShipperComponent start(ShipperConfig config) {
        ShutdownSequence shutdown = new ShutdownSequence();
        try {
            BlobStore store = shutdown.add("blob store", openStore(config));
            return start(config, store, shutdown);
        } catch (RuntimeException e) {
            shutdown.close();
            throw e;
        }
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
            return start(config, store, shutdown);
        } catch (RuntimeException e) {
            shutdown.close();
            throw e;
        }
    }

    private static ShipperComponent start(ShipperConfig config, BlobStore store, ShutdownSequence shutdown) {
        ShipperMetrics metrics = new ShipperMetrics();
        Clock clock = Clock.systemUTC();
        LogShipper shipper = shutdown.add("log shipper", new LogShipper(config, store, clock, metrics).start());
        if (config.k8sNamespace() != null) {
            KubernetesClient client = shutdown.add("kubernetes client", new KubernetesClientBuilder().build());
            shutdown.add("pod log source", new PodLogSource(client, config.k8sNamespace(), store, metrics, clock,
                    config.pollInterval(), config.maxBackoff()).start());
        }
        HealthServer health = null;
        if (config.healthPort() > 0) {
            // added last, so it stops first: readiness goes before the sources stop
            health = shutdown.add("health server", HealthServer.start(HEALTH_HOST, config.healthPort(), metrics,
                    shipper::running));
        }
        return new ShipperComponent(shutdown, metrics, health);
    }

    public ShipperMetrics metrics() {
        return metrics;
    }

    /** The health port, or 0 when there is no health server. */
    public int healthPort() {
        return health == null ? 0 : health.port();
    }

    @Override
    public void close() {
        shutdown.close();
    }
}
