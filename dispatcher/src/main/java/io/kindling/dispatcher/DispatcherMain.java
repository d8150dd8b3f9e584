package io.kindling.dispatcher;

import io.kindling.common.config.ConfigException;
import io.kindling.common.config.EnvConfig;
import io.kindling.common.config.KnownKeys;
import io.kindling.common.lifecycle.ShutdownSequence;
import io.kindling.common.management.Management;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the dispatcher alone. Configuration from the environment; see docs/configuration.md. */
public final class DispatcherMain {
    private static final Logger LOG = LoggerFactory.getLogger(DispatcherMain.class);

    private DispatcherMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> env = System.getenv();
        ShutdownSequence shutdown = new ShutdownSequence();
        try {
            new EnvConfig(env).rejectUnknown(KnownKeys.ALL);
            Management management = shutdown.add("management", Management.start(env, "kindling-dispatcher"));
            shutdown.add("dispatcher", DispatcherComponent.start(env, management));
        } catch (ConfigException e) {
            LOG.error("cannot start: {}", e.getMessage());
            System.exit(2);
        }
        shutdown.closeOnJvmShutdown("dispatcher");
    }
}
