package io.kindling.api;

import io.kindling.common.config.ConfigException;
import io.kindling.common.config.EnvConfig;
import io.kindling.common.config.KnownKeys;
import io.kindling.common.lifecycle.ShutdownSequence;
import io.kindling.common.management.Management;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the api as a process: configuration from the environment, stopped in order on SIGTERM. */
public final class ApiMain {
    private static final Logger LOG = LoggerFactory.getLogger(ApiMain.class);

    private ApiMain() {
    }

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        ApiConfig config;
        try {
            new EnvConfig(env).rejectUnknown(KnownKeys.ALL);
            config = ApiConfig.fromEnv(env);
            config.auth().requireConfigured();
        } catch (ConfigException e) {
            LOG.error("kindling api cannot start: {}", e.getMessage());
            System.exit(2);
            return;
        }
        LOG.info("kindling api starting with\n{}", ApiConfig.describe(env, config));
        ShutdownSequence shutdown = new ShutdownSequence();
        shutdown.closeOnJvmShutdown("kindling api");
        try {
            Management management = shutdown.add("management", Management.start(env, "kindling-api"));
            Vertx vertx = Vertx.vertx();
            shutdown.add("vert.x", () -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
            shutdown.add("api", ApiComponent.start(config, vertx, management));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutdown.close();
        } catch (RuntimeException e) {
            LOG.error("kindling api failed to start", e);
            shutdown.close();
            System.exit(1);
        }
    }
}
