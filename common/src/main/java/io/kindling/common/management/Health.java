package io.kindling.common.management;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one health registry of a JVM's components. Liveness: every loop registered with
 * {@link #loop(String)} is alive, and every liveness check passes; readiness: live, and every
 * readiness check passes (flags set by the components, and probes of Kafka and the blob store run
 * every few seconds on one thread of this registry). Served by {@link ManagementServer} on
 * {@code /health/live} and {@code /health/ready}.
 */
public final class Health implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Health.class);
    /** How often a probe runs. */
    public static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);

    private final Map<String, LoopLiveness> loops = new ConcurrentHashMap<>();
    private final Map<String, BooleanSupplier> liveness = new ConcurrentHashMap<>();
    private final Map<String, BooleanSupplier> readiness = new ConcurrentHashMap<>();
    /** Made with the first probe. */
    private ScheduledExecutorService probes;

    /** One check's result, and the whole. */
    public record Status(boolean ok, Map<String, Boolean> checks) {
    }

    /** Registers a loop (its name unique in the JVM, e.g. {@code worker.runs.default}). */
    public LoopLiveness loop(String name) {
        return loop(name, null);
    }

    /** Registers a loop run by a scheduler: alive while {@code runs} says its schedule goes on. */
    public LoopLiveness loop(String name, BooleanSupplier runs) {
        LoopLiveness loop = new LoopLiveness(name, runs);
        loops.put(name, loop);
        return loop;
    }

    /** A registered loop, by name (tests kill loops through it). */
    public Optional<LoopLiveness> loopNamed(String name) {
        return Optional.ofNullable(loops.get(name));
    }

    public void liveness(String name, BooleanSupplier check) {
        liveness.put(name, check);
    }

    public void readiness(String name, BooleanSupplier check) {
        readiness.put(name, check);
    }

    /** Forgets a check or loop (a component closing). */
    public void remove(String name) {
        loops.remove(name);
        liveness.remove(name);
        readiness.remove(name);
    }

    /**
     * A readiness check that runs {@code probe} every {@link #PROBE_INTERVAL} (its first run at
     * once): ready while the last run returned without throwing within {@code timeout} of its start.
     */
    public void readinessProbe(String name, Callable<?> probe) {
        ProbeState state = new ProbeState();
        readiness.put(name, state::ok);
        probes().scheduleWithFixedDelay(() -> {
            try {
                probe.call();
                if (!state.ok) {
                    LOG.info("health: {} reachable", name);
                }
                state.ok = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception | LinkageError e) {
                if (state.ok) {
                    LOG.warn("health: {} not reachable: {}", name, e.toString());
                }
                state.ok = false;
            }
        }, 0, PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized ScheduledExecutorService probes() {
        if (probes == null) {
            probes = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "kindling-health-probes");
                t.setDaemon(true);
                return t;
            });
        }
        return probes;
    }

    private static final class ProbeState {
        private volatile boolean ok;

        boolean ok() {
            return ok;
        }
    }

    public Status live() {
        Map<String, Boolean> checks = new LinkedHashMap<>();
        loops.forEach((name, loop) -> checks.put(name, loop.alive()));
        liveness.forEach((name, check) -> checks.put(name, safely(check)));
        return new Status(!checks.containsValue(false), checks);
    }

    public Status ready() {
        Status live = live();
        Map<String, Boolean> checks = new LinkedHashMap<>(live.checks());
        // a name that is both a liveness and a readiness check is up only when both are
        readiness.forEach((name, check) -> checks.merge(name, safely(check), Boolean::logicalAnd));
        return new Status(!checks.containsValue(false), checks);
    }

    private static boolean safely(BooleanSupplier check) {
        try {
            return check.getAsBoolean();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        if (probes != null) {
            probes.shutdownNow();
        }
    }
}
