package io.kindling.worker;

import io.kindling.common.config.ConfigException;
import io.kindling.common.config.EnvConfig;
import io.kindling.common.config.KnownKeys;
import io.kindling.common.lifecycle.ShutdownSequence;
import io.kindling.common.management.Management;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a worker from the process environment until the JVM is asked to stop. */
public final class WorkerMain {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerMain.class);

    private WorkerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        WorkerComponent component;
        Management management;
        try {
            new EnvConfig(System.getenv()).rejectUnknown(KnownKeys.ALL);
            management = Management.start(System.getenv(), "kindling-worker");
            component = WorkerComponent.start(System.getenv(), management);
        } catch (ConfigException e) {
            LOG.error("cannot start the worker: {}", e.getMessage());
            System.exit(2);
            return;
        }
        ShutdownSequence shutdown = new ShutdownSequence();
        shutdown.add("management", management);
        shutdown.add("worker", component);
        shutdown.closeOnJvmShutdown("worker");
    }
}
