package io.kindling.shipper.pods;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.BlobStoreException;
import io.kindling.blobstore.PartedAppendLog;
import io.kindling.common.logs.LogIndex;
import io.kindling.schemas.Json;
import io.kindling.shipper.ShipperMetrics;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second source of driver output: the logs of driver pods, read through the Kubernetes API.
 * Every poll interval it lists the pods of its namespace that carry the label
 * {@value PodAttempt#ATTEMPT_ID} and starts a {@link PodLogCopy} (on a thread of its own) for
 * each one whose attempt's index is not complete yet. The caller owns the client and the store.
 */
public final class PodLogSource implements AutoCloseable {
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(PodLogSource.class);

    private final KubernetesClient client;
    private final String namespace;
    private final BlobStore store;
    private final PartedAppendLog logs;
    private final ShipperMetrics metrics;
    private final Clock clock;
    private final Duration poll;
    private final Duration maxBackoff;
    private final ScheduledExecutorService scheduler;
    /** By pod name; touched only by the scheduler thread (and close, after it stopped). */
    private final Map<String, Running> copies = new HashMap<>();
    private final Set<String> done = new HashSet<>();
    private final Set<String> reported = new HashSet<>();

    private record Running(PodLogCopy copy, Thread thread) {
    }

    public PodLogSource(KubernetesClient client, String namespace, BlobStore store, ShipperMetrics metrics, Clock clock,
            Duration poll, Duration maxBackoff) {
        this.client = Objects.requireNonNull(client, "client");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.store = Objects.requireNonNull(store, "store");
        this.logs = new PartedAppendLog(store);
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.poll = poll;
        this.maxBackoff = maxBackoff;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "pod-log-source"));
    }

    public PodLogSource start() {
        scheduler.scheduleWithFixedDelay(this::round, 0, poll.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("shipping the logs of driver pods labelled {} in namespace {}", PodAttempt.ATTEMPT_ID, namespace);
        return this;
    }

    private void round() {
        try {
            Set<String> seen = new HashSet<>();
            for (Pod pod : client.pods().inNamespace(namespace).withLabel(PodAttempt.ATTEMPT_ID).list().getItems()) {
                String name = pod.getMetadata().getName();
                seen.add(name);
                if (!done.contains(name) && !copies.containsKey(name)) {
                    startCopy(pod);
                }
            }
            copies.entrySet().removeIf(entry -> {
                if (entry.getValue().copy().finished()) {
                    done.add(entry.getKey());
                    return true;
                }
                return false;
            });
            done.retainAll(seen);
            reported.retainAll(seen);
        } catch (KubernetesClientException | BlobStoreException e) {
            LOG.warn("cannot list the driver pods of namespace {}: {}", namespace, e.toString());
        } catch (RuntimeException e) {
            LOG.error("pod log round failed", e);
        }
    }

    private void startCopy(Pod pod) {
        String name = pod.getMetadata().getName();
        StringBuilder problem = new StringBuilder();
        PodAttempt attempt = PodAttempt.of(pod, problem).orElse(null);
        if (attempt == null) {
            if (reported.add(name)) {
                LOG.error("cannot ship the log of pod {}: {}", name, problem);
            }
            return;
        }
        if (complete(attempt)) {
            done.add(name);
            return;
        }
        PodLogCopy copy = new PodLogCopy(client, namespace, attempt, store, logs, metrics, clock, poll,
                maxBackoff);
        Thread thread = Thread.ofVirtual().name("pod-log-" + name).start(copy);
        copies.put(name, new Running(copy, thread));
        LOG.info("shipping the log of driver pod {} (attempt {})", name, attempt.attemptId());
    }

    private boolean complete(PodAttempt attempt) {
        try {
            return store.get(attempt.index()).map(json -> Json.decode(json, LogIndex.class).complete()).orElse(false);
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    /** Stops listing, then every copy (each after its current append), awaited. */
    @Override
    public void close() {
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                scheduler.shutdownNow();
            }
            copies.values().forEach(running -> running.copy().close());
            for (Running running : copies.values()) {
                running.thread().interrupt();
                running.thread().join(CLOSE_TIMEOUT.toMillis());
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
