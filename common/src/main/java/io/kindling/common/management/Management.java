package io.kindling.common.management;

import io.kindling.common.tracing.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A process's metrics, health and tracing: one Prometheus meter registry (with the JVM's metrics),
 * one {@link Health} registry, its {@link Tracing} (off unless configured), and, when started with
 * {@link #start}, the {@link ManagementServer} serving metrics and health. A process makes one and hands it to every component it runs (the embedded
 * stack: one registry, one endpoint for all); a component started without one gets
 * {@link #inMemory()}: the same registries, no port.
 */
public final class Management implements AutoCloseable {
    private final PrometheusMeterRegistry registry;
    private final Health health;
    private final Tracing tracing;
    /** Made when the first Kafka client is metered. */
    private ScheduledExecutorService kafkaMetricsRefresh;
    private JvmGcMetrics gc;
    private ManagementServer server;

    private Management(Tracing tracing) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.health = new Health();
        this.tracing = tracing;
    }

    /** The JVM's meters: once per process, in the registry the endpoint serves. */
    private void bindJvm() {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        this.gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** Registries only, no endpoint and no JVM meters (tests, components started alone). */
    public static Management inMemory() {
        return new Management(Tracing.off());
    }

    /** Registries only, and {@code tracing} (tests that record spans); closing this closes it. */
    public static Management inMemory(Tracing tracing) {
        return new Management(tracing);
    }

    /** Registries and the endpoint at {@code KINDLING_METRICS_HOST}:{@code KINDLING_METRICS_PORT}; tracing off. */
    public static Management start(Map<String, String> env) {
        return start(ManagementConfig.fromEnv(env));
    }

    /**
     * Registries, the endpoint, and tracing as the standard {@code OTEL_*} variables of {@code env}
     * say ({@link Tracing#fromEnv}), as service {@code serviceName} unless {@code OTEL_SERVICE_NAME} names one.
     */
    public static Management start(Map<String, String> env, String serviceName) {
        return start(ManagementConfig.fromEnv(env), Tracing.fromEnv(env, serviceName));
    }

    public static Management start(ManagementConfig config) {
        return start(config, Tracing.off());
    }

    /** Registries, the endpoint and {@code tracing}; closing this closes it. */
    public static Management start(ManagementConfig config, Tracing tracing) {
        Management management = new Management(tracing);
        try {
            management.bindJvm();
            management.server = ManagementServer.start(config, management.registry, management.health);
            return management;
        } catch (RuntimeException e) {
            management.close();
            throw e;
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text of every meter (what {@code /metrics} answers). */
    public String scrape() {
        return registry.scrape();
    }

    public Health health() {
        return health;
    }

    /** The process's tracing ({@link Tracing#off()} unless configured). */
    public Tracing tracing() {
        return tracing;
    }

    /** The thread that refreshes the Kafka clients' meters (shared by every client of the process). */
    public synchronized ScheduledExecutorService kafkaMetricsRefresh() {
        if (kafkaMetricsRefresh == null) {
            kafkaMetricsRefresh = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "kindling-kafka-metrics");
                t.setDaemon(true);
                return t;
            });
        }
        return kafkaMetricsRefresh;
    }

    /** The endpoint's port, 0 without one. */
    public int port() {
        return server == null ? 0 : server.port();
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                server.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // closing: nothing left to do with the error
            }
        }
        health.close();
        tracing.close();
        synchronized (this) {
            if (kafkaMetricsRefresh != null) {
                kafkaMetricsRefresh.shutdownNow();
            }
        }
        if (gc != null) {
            gc.close();
        }
        registry.close();
    }
}
