package io.kindling.shipper.pods;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.kindling.blobstore.AppendConflictException;
import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.BlobStoreException;
import io.kindling.blobstore.PartedAppendLog;
import io.kindling.common.logs.LogIndex;
import io.kindling.common.logs.LogStream;
import io.kindling.shipper.IndexWrites;
import io.kindling.shipper.ShipperMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Copies one driver pod's log into its attempt's {@code stdout} log (a {@link PartedAppendLog}), on
 * its own thread. The log's logical length is the progress: every round reads the pod's log from its start, skips the bytes
 * the blob already holds and appends the rest at exactly that position, so a shipper restarted
 * at any moment loses and doubles nothing. While the pod runs the log is followed
 * ({@code watchLog}); once it has ended it is read one last time, and the attempt's index says
 * complete. Failures (the API server, the store) are retried after a backoff.
 *
 * <p>The pod's log is what the kubelet keeps: a log rotated away before it was shipped is gone.
 */
final class PodLogCopy implements Runnable {
    private static final int BUFFER_BYTES = 1024 * 1024;
    private static final Set<String> ENDED = Set.of("Succeeded", "Failed");
    private static final Logger LOG = LoggerFactory.getLogger(PodLogCopy.class);

    private final KubernetesClient client;
    private final String namespace;
    private final PodAttempt attempt;
    private final BlobStore store;
    private final PartedAppendLog logs;
    private final ShipperMetrics metrics;
    private final Clock clock;
    private final Duration poll;
    private final Duration maxBackoff;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private volatile boolean closed;
    private volatile LogWatch watch;
    private volatile boolean finished;

    PodLogCopy(KubernetesClient client, String namespace, PodAttempt attempt, BlobStore store, PartedAppendLog logs,
            ShipperMetrics metrics, Clock clock, Duration poll, Duration maxBackoff) {
        this.client = client;
        this.namespace = namespace;
        this.attempt = attempt;
        this.store = store;
        this.logs = logs;
        this.metrics = metrics;
        this.clock = clock;
        this.poll = poll;
        this.maxBackoff = maxBackoff;
    }

    boolean finished() {
        return finished;
    }

    @Override
    public void run() {
        MDC.put("jobId", attempt.jobId());
        MDC.put("attempt", Integer.toString(attempt.attempt()));
        long backoff = poll.toMillis();
        try {
            while (!closed) {
                try {
                    if (round()) {
                        finished = true;
                        return;
                    }
                    backoff = poll.toMillis();
                } catch (BlobStoreException e) {
                    metrics.storeFailed();
                    backoff = failed("the blob store failed", e, backoff);
                } catch (KubernetesClientException | IOException | AppendConflictException e) {
                    backoff = failed("reading the pod log failed", e, backoff);
                }
                pause(backoff);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            MDC.clear();
        }
    }

    /** One pass over the pod's log; true once the pod has ended and its whole log is stored. */
    private boolean round() throws IOException {
        PodResource resource = client.pods().inNamespace(namespace).withName(attempt.podName());
        Pod pod = resource.get();
        String blob = attempt.blob(LogStream.STDOUT);
        long shipped = logs.length(blob);
        if (pod == null) {
            LOG.warn("driver pod {} is gone; its log in the store ends at {} bytes", attempt.podName(), shipped);
            complete(shipped);
            return true;
        }
        boolean ended = pod.getStatus() != null && ENDED.contains(pod.getStatus().getPhase());
        PodResource logs = container(resource, pod);
        writeIndex(shipped, false);
        if (ended) {
            try (InputStream in = logs.getLogInputStream()) {
                shipped = copy(in, blob, shipped);
            }
            complete(shipped);
            LOG.info("driver pod {} ended ({}); its log is stored: {} bytes", attempt.podName(),
                    pod.getStatus().getPhase(), shipped);
            return true;
        }
        try (LogWatch following = logs.watchLog()) {
            watch = following;
            copy(following.getOutput(), blob, shipped);
        } finally {
            watch = null;
        }
        return false;
    }

    private static PodResource container(PodResource resource, Pod pod) {
        var containers = pod.getSpec() == null ? List.<io.fabric8.kubernetes.api.model.Container>of()
                : pod.getSpec().getContainers();
        return containers.size() > 1 ? (PodResource) resource.inContainer(containers.get(0).getName()) : resource;
    }

    /** Skips what the blob holds, appends the rest as it arrives; returns the blob's length. */
    private long copy(InputStream in, String blob, long shipped) throws IOException {
        long skipped = 0;
        while (skipped < shipped) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, shipped - skipped));
            if (n < 0) {
                LOG.warn("the log of pod {} is shorter ({} bytes) than what is stored ({}): rotated or restarted",
                        attempt.podName(), skipped, shipped);
                return shipped;
            }
            skipped += n;
        }
        long position = shipped;
        int n;
        while (!closed && (n = in.read(buffer)) >= 0) {
            if (n > 0) {
                logs.append(blob, position, buffer, 0, n);
                position += n;
                metrics.shipped(n);
            }
        }
        return position;
    }

    private void complete(long stdoutLength) {
        String stderr = attempt.blob(LogStream.STDERR);
        if (logs.length(stderr) == 0) {
            logs.append(stderr, 0, new byte[0], 0, 0);
        }
        writeIndex(stdoutLength, true);
    }

    private void writeIndex(long stdoutLength, boolean complete) {
        Map<String, Long> streams = new LinkedHashMap<>();
        streams.put(LogStream.STDOUT.fileName(), stdoutLength);
        streams.put(LogStream.STDERR.fileName(), 0L);
        IndexWrites.Outcome outcome = IndexWrites.write(store, attempt.index(), new LogIndex(attempt.jobId(),
                attempt.attempt(), attempt.attemptId(), streams, List.of(), complete, clock.instant()));
        if (outcome == IndexWrites.Outcome.COMPLETED_BY_ANOTHER) {
            LOG.info("driver pod {}: another shipper completed its index", attempt.podName());
        }
    }

    private long failed(String what, Exception e, long backoff) {
        LOG.warn("{} for driver pod {}; retrying in {} ms: {}", what, attempt.podName(), backoff, e.toString());
        return Math.min(backoff * 2, maxBackoff.toMillis());
    }

    private void pause(long millis) throws InterruptedException {
        if (!closed) {
            Thread.sleep(millis);
        }
    }

    /** Stops following; the thread ends after its current append. */
    void close() {
        closed = true;
        LogWatch current = watch;
        if (current != null) {
            current.close();
        }
    }
}
