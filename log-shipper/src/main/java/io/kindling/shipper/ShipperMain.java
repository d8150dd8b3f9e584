package io.kindling.shipper;

import io.kindling.common.config.ConfigException;
import io.kindling.common.config.EnvConfig;
import io.kindling.common.config.KnownKeys;
import io.kindling.common.lifecycle.ShutdownSequence;
import io.kindling.common.management.Management;
import io.kindling.common.management.ManagementConfig;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the log-shipper on its own until SIGTERM / SIGINT. Only wiring: see {@link ShipperComponent}. */
public final class ShipperMain {
    private static final Logger LOG = LoggerFactory.getLogger(ShipperMain.class);

    private ShipperMain() {
    }

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        ShipperConfig config;
        try {
            new EnvConfig(env).rejectUnknown(KnownKeys.ALL);
            config = ShipperConfig.fromEnv(env);
        } catch (ConfigException e) {
            LOG.error("log-shipper cannot start: {}", e.getMessage());
            System.exit(2);
            return;
        }
        LOG.info("log-shipper starting with\n{}", config.describe());
        ShutdownSequence shutdown = new ShutdownSequence();
        try {
            // KINDLING_SHIPPER_HEALTH_PORT, when set, overrides KINDLING_METRICS_PORT for this component
            Management management = shutdown.add("management", Management.start(config.healthPort() > 0
                    ? new ManagementConfig(ManagementConfig.fromEnv(env).host(), config.healthPort())
                    : ManagementConfig.fromEnv(env)));
            shutdown.add("log-shipper", ShipperComponent.start(config, management));
        } catch (RuntimeException e) {
            LOG.error("log-shipper failed to start", e);
            System.exit(1);
            return;
        }
        // the shipping thread keeps the JVM alive; the hook stops it after its round, then closes the store
        shutdown.closeOnJvmShutdown("log-shipper");
    }
}
