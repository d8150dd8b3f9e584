package io.kindling.embedded;

import io.kindling.api.ApiComponent;
import io.kindling.api.auth.AdminToken;
import io.kindling.api.auth.AuthConfig;
import io.kindling.broker.BrokerConfig;
import io.kindling.blobstore.BlobStoreConfig;
import io.kindling.broker.EmbeddedKafkaBroker;
import io.kindling.common.config.ConfigException;
import io.kindling.common.config.EnvConfig;
import io.kindling.common.config.KindlingHome;
import io.kindling.common.kafka.KafkaConfig;
import io.kindling.common.lifecycle.ShutdownSequence;
import io.kindling.common.management.Management;
import io.kindling.common.management.ManagementConfig;
import io.kindling.common.tracing.Tracing;
import io.kindling.dispatcher.DispatcherComponent;
import io.kindling.shipper.ShipperComponent;
import io.kindling.worker.WorkerComponent;
import io.kindling.worker.WorkerConfig;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kindling in one JVM: optionally a Kafka broker, then the dispatcher, log-shipper (unless
 * {@code KINDLING_EMBEDDED_LOG_SHIPPER=false}), worker and api, each started exactly as its own
 * {@code Main} would start it. {@link #close()} stops them in reverse order, awaited: the api
 * first (no new work), the broker last.
 */
public final class EmbeddedStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStack.class);
    /** Marks the log lines {@code ./kindling up} repeats on the console once the stack is ready. */
    static final String TOLD = "kindling up: ";

    private final ShutdownSequence shutdown;
    private final ApiComponent api;
    private final String bootstrapServers;
    private final Management management;
    private final String metricsHost;

    private EmbeddedStack(ShutdownSequence shutdown, ApiComponent api, String bootstrapServers, Management management,
            String metricsHost) {
        this.shutdown = shutdown;
        this.api = api;
        this.bootstrapServers = bootstrapServers;
        this.management = management;
        this.metricsHost = metricsHost;
    }

    /**
     * Starts everything from {@code env}, tracing as its {@code OTEL_*} variables say; on any
     * failure, what was started is stopped again.
     */
    public static EmbeddedStack start(Map<String, String> env) throws InterruptedException {
        return start(env, null);
    }

    /** As {@link #start(Map)}, every component tracing to {@code tracing} (tests: an in-memory exporter) if not null. */
    public static EmbeddedStack start(Map<String, String> env, Tracing tracing) throws InterruptedException {
        return start(env, tracing, null);
    }

    /**
     * As {@link #start(Map, Tracing)}, the worker launching every attempt with a launcher from
     * {@code launchers} when not null (benchmarks of the control plane: a no-op launcher).
     */
    public static EmbeddedStack start(Map<String, String> env, Tracing tracing,
            java.util.function.Supplier<io.kindling.worker.launcher.Launcher> launchers) throws InterruptedException {
        EmbeddedConfig config = EmbeddedConfig.from(new EnvConfig(env));
        ShutdownSequence shutdown = new ShutdownSequence();
        try {
            Map<String, String> effective = new HashMap<>(env);
            effective.putIfAbsent("KINDLING_HTTP_HOST", "127.0.0.1");
            // a fixed instance id: a restarted stack's dispatcher takes leadership back at once (static membership)
            effective.putIfAbsent("KINDLING_DISPATCHER_ID", "embedded");
            effective.putIfAbsent(ManagementConfig.HOST.name(), "127.0.0.1");
            // one registry and one endpoint for every component of this JVM
            ManagementConfig managementConfig = ManagementConfig.fromEnv(effective);
            Management management = shutdown.add("management", Management.start(managementConfig,
                    tracing != null ? tracing : Tracing.fromEnv(effective, "kindling")));
            secureByDefault(env, effective);
            Optional<EmbeddedKafkaBroker> broker = Optional.empty();
            if (config.startKafka()) {
                broker = Optional.of(shutdown.add("kafka broker", EmbeddedKafkaBroker.start(BrokerConfig.fromEnv(env))));
                effective.put(KafkaConfig.BOOTSTRAP_SERVERS.name(), broker.get().bootstrapServers());
            }
            String bootstrap = new EnvConfig(effective).get(KafkaConfig.BOOTSTRAP_SERVERS);
            EmbeddedPools pools = EmbeddedPools.resolve(effective);
            startupLines(effective, pools).forEach(line -> LOG.info("{}{}", TOLD, line));
            shutdown.add("dispatcher", DispatcherComponent.start(effective, management));
            if (config.startLogShipper()) {
                shutdown.add("log-shipper", ShipperComponent.start(effective, management));
            }
            if (!pools.served().isEmpty()) {
                effective.put(WorkerConfig.POOL.name(), String.join(",", pools.served()));
                shutdown.add("worker", launchers == null ? WorkerComponent.start(effective, management)
                        : WorkerComponent.start(effective, management, launchers));
            }
            Vertx vertx = Vertx.vertx();
            shutdown.add("vert.x", () -> vertx.close().toCompletionStage().toCompletableFuture()
                    .get(30, java.util.concurrent.TimeUnit.SECONDS));
            ApiComponent api = shutdown.add("api", ApiComponent.start(effective, vertx, management));
            String metricsUrl = "http://" + managementConfig.host() + ":" + management.port() + "/metrics";
            LOG.info("Kindling is up: api on http://{}:{}, Kafka at {}, metrics at {}", effective.get("KINDLING_HTTP_HOST"),
                    api.port(), bootstrap, metricsUrl);
            return new EmbeddedStack(shutdown, api, bootstrap, management, managementConfig.host());
        } catch (InterruptedException | RuntimeException e) {
            shutdown.close();
            throw e;
        }
    }

    /** What the user is told at start: the blob store used, the pools the worker serves and those it does not. */
    static List<String> startupLines(Map<String, String> effective, EmbeddedPools pools) {
        List<String> lines = new ArrayList<>();
        lines.add("blob store: " + blobStore(effective).describe());
        lines.addAll(pools.lines());
        return lines;
    }

    /** The store every component opens: {@code KINDLING_BLOB_STORE} and its settings, {@code local} when unset. */
    static BlobStoreConfig blobStore(Map<String, String> effective) {
        try {
            return BlobStoreConfig.fromEnv(effective);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /**
     * With neither a tokens file, nor OIDC, nor {@code KINDLING_AUTH_DISABLED=true}: an admin token
     * in {@code $KINDLING_HOME/admin.token} and the tokens file holding its hash.
     */
    private static void secureByDefault(Map<String, String> env, Map<String, String> effective) {
        EnvConfig config = new EnvConfig(env);
        if (config.raw(AuthConfig.TOKENS_FILE).isPresent() || config.raw(AuthConfig.OIDC_ISSUER).isPresent()
                || Boolean.TRUE.equals(config.get(AuthConfig.DISABLED))) {
            return;
        }
        Path home = KindlingHome.from(config);
        try {
            Path tokens = AdminToken.ensure(home);
            effective.put(AuthConfig.TOKENS_FILE.name(), tokens.toString());
            LOG.info("no KINDLING_AUTH_TOKENS_FILE nor OIDC configured: requests need the admin token in {}"
                    + " (Authorization: Bearer $(cat {}))", home.resolve(AdminToken.TOKEN_FILE), home.resolve(AdminToken.TOKEN_FILE));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create the admin token in " + home + ": " + e.getMessage(), e);
        }
    }

    /** The port the api listens on. */
    public int apiPort() {
        return api.port();
    }

    /** The one management endpoint of the stack: {@code /metrics}, {@code /health/live}, {@code /health/ready}. */
    public String managementUrl() {
        return "http://" + metricsHost + ":" + management.port();
    }

    /** The registries every component of the stack reports to. */
    public Management management() {
        return management;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        shutdown.close();
    }
}
