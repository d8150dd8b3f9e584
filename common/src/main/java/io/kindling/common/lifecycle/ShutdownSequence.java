package io.kindling.common.lifecycle;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes what a component started, in reverse order of start, each awaited, each failure logged
 * and the rest still closed. Safe to call more than once.
 */
public final class ShutdownSequence implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShutdownSequence.class);

    private final Deque<Step> steps = new ArrayDeque<>();

    private record Step(String name, AutoCloseable resource) {
    }

    /** Registers something just started; it will be closed before everything started earlier. */
    public synchronized <T extends AutoCloseable> T add(String name, T resource) {
        steps.push(new Step(name, resource));
        return resource;
    }

    @Override
    public synchronized void close() {
        while (!steps.isEmpty()) {
            Step step = steps.pop();
            try {
                step.resource().close();
                LOG.debug("stopped {}", step.name());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warn("interrupted while stopping {}", step.name());
            } catch (Exception e) {
                LOG.warn("stopping {} failed", step.name(), e);
            }
        }
    }

    /** Runs {@link #close()} when the JVM is asked to stop (SIGTERM, Ctrl-C). */
    public void closeOnJvmShutdown(String component) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("{} stopping", component);
            close();
            LOG.info("{} stopped", component);
        }, component + "-shutdown"));
    }
}
