package io.kindling.worker.k8s;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.api.model.Secret;
import io.kindling.common.pools.LaunchRefusedException;
import io.kindling.common.pools.LaunchRefusedException.Reason;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.launcher.Adoption;
import io.kindling.worker.launcher.AppExit;
import io.kindling.worker.launcher.Launch;
import io.kindling.worker.launcher.Launcher;
import io.kindling.worker.launcher.SparkConnectServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each attempt as a driver pod ({@code spark-submit} in client mode inside the pod, executors
 * as pods) through fabric8: creates the pod, then the objects it owns, and watches the pod with an
 * informer. Every object is named from the attempt id, and creating one that exists adopts it, so
 * a restarted worker that launches the same attempt again gets the same pod, never a second one.
 *
 * <p>{@link #cancel} deletes the pod (its owned objects go with it); a pod that ended is deleted
 * after the pool's cleanup delay, one that will never start (image, config, unschedulable) at once.
 * {@link #close()} stops watching and leaves pods running: a restarted worker adopts them. A
 * session's pod ({@link DriverPodSession}) is launched, cancelled and adopted the same way.
 */
public final class DriverPodLauncher implements Launcher {
    private static final Logger LOG = LoggerFactory.getLogger(DriverPodLauncher.class);
    static final Duration DELETE_WAIT = Duration.ofSeconds(60);
    private static final int CLEANUP_TRIES = 5;
    private static final Duration CLEANUP_RETRY = Duration.ofSeconds(2);

    private final KubernetesClient client;
    private final DriverPodManifests manifests;
    private final DriverPodPoolConfig pool;
    private final Function<RunAssignment, Map<String, SecretKeyRef>> secrets;
    private final Clock clock;
    private final ScheduledExecutorService timers;
    private final ConcurrentMap<String, Watched> watched = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private record Watched(DriverPodApp app, SharedIndexInformer<Pod> informer) {
    }

    /**
     * @param client  a client for the pool's cluster; its owner closes it
     * @param secrets the secret references of an attempt (env var → secret key), from its {@code secretRefs}
     * @param relay   how a session's relay-agent sidecar reaches the gateway; null: sessions are refused
     */
    public DriverPodLauncher(KubernetesClient client, DriverPodPoolConfig pool,
            Function<RunAssignment, Map<String, SecretKeyRef>> secrets, DriverPodRelay relay, Clock clock) {
        this.client = client;
        this.pool = pool;
        this.manifests = new DriverPodManifests(pool, relay);
        this.secrets = secrets;
        this.clock = clock;
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "driver-pods-" + pool.namespace());
            t.setDaemon(true);
            return t;
        });
    }

    public DriverPodLauncher(KubernetesClient client, DriverPodPoolConfig pool,
            Function<RunAssignment, Map<String, SecretKeyRef>> secrets, Clock clock) {
        this(client, pool, secrets, null, clock);
    }

    public DriverPodLauncher(KubernetesClient client, DriverPodPoolConfig pool) {
        this(client, pool, run -> Map.of(), Clock.systemUTC());
    }

    @Override
    public Launch launch(RunAssignment run) throws InterruptedException {
        if (closed) {
            return new Launch.Refused("the worker is shutting down");
        }
        DriverPodObjects objects;
        try {
            Map<String, SecretKeyRef> refs = secrets.apply(run);
            objects = manifests.render(run, refs);
            checkTenantSecrets(run, refs);
        } catch (LaunchRefusedException e) {
            return Launch.Refused.of(e);
        } catch (KubernetesClientException e) {
            return new Launch.Refused("cannot read the Secrets the job refers to in " + pool.namespace() + ": "
                    + e.getMessage());
        }
        if (run.attempt() > 1) {
            try {
                java.util.Optional<String> fenced = removeOrphans(run);
                if (fenced.isPresent()) {
                    return new Launch.Refused(fenced.get());
                }
            } catch (KubernetesClientException e) {
                return new Launch.Refused("cannot make sure no earlier attempt of " + run.jobId() + " still runs in "
                        + pool.namespace() + ": " + e.getMessage());
            }
        }
        Created<Pod> pod;
        try {
            pod = createOrGet(objects.pod());
        } catch (KubernetesClientException e) {
            return new Launch.Refused("the Kubernetes API refused the driver pod of " + run.attemptId() + ": "
                    + e.getMessage());
        }
        String owner = annotation(pod.object(), DriverPodManifests.ATTEMPT_ID);
        if (!run.attemptId().equals(owner)) {
            return new Launch.Refused("pod " + pool.namespace() + "/" + objects.names().driverPod()
                    + " exists and belongs to attempt " + owner + ", not " + run.attemptId());
        }
        try {
            ensureOwned(objects, pod.object());
            LOG.info("attempt {}: driver pod {}/{} (uid {}{})", run.attemptId(), pool.namespace(),
                    pod.object().getMetadata().getName(), pod.object().getMetadata().getUid(),
                    pod.created() ? "" : ", adopted");
            return new Launch.Started(watch(objects, SparkConnectServer.isSession(run)));
        } catch (KubernetesClientException e) {
            if (pod.created()) {
                // without its ConfigMap and services the pod cannot work: take it back, so nothing runs unwatched
                deleteQuietly(objects.names());
            }
            return new Launch.Refused("the Kubernetes API refused the objects of " + run.attemptId() + "'s driver pod: "
                    + e.getMessage());
        }
    }

    /**
     * A job may refer only to Secrets of its own tenant: each Secret it names must exist in the
     * pool's namespace and carry the label {@value DriverPodManifests#TENANT}{@code =<tenant>}. So
     * neither another tenant's Secrets nor Kindling's own (the blob store's) can reach a driver.
     */
    private void checkTenantSecrets(RunAssignment run, Map<String, SecretKeyRef> refs) throws LaunchRefusedException {
        String tenant = run.spec().tenant();
        for (String name : new java.util.TreeSet<>(refs.values().stream().map(SecretKeyRef::secretName).toList())) {
            Secret secret = client.secrets().inNamespace(pool.namespace()).withName(name).get();
            Map<String, String> labels = secret == null ? null : secret.getMetadata().getLabels();
            if (secret == null || labels == null || !tenant.equals(labels.get(DriverPodManifests.TENANT))) {
                throw new LaunchRefusedException(Reason.SECRET, "secret '" + name + "' is not available to tenant '"
                        + tenant + "' in namespace " + pool.namespace() + " (a job may use only Secrets labelled "
                        + DriverPodManifests.TENANT + "=" + tenant + ")");
            }
        }
    }

    /**
     * Deletes the driver pods of earlier attempts of {@code run}'s job that still run (a worker host
     * that died leaves its attempt's pod behind; its executors go with it, owned by the driver pod)
     * and waits until they are gone. Finished pods are left to their cleanup delay. Returns why the
     * retry must not start yet when one is still there.
     */
    private java.util.Optional<String> removeOrphans(RunAssignment run) throws InterruptedException {
        var pods = client.pods().inNamespace(pool.namespace())
                .withLabel(DriverPodManifests.JOB_ID, DriverPodNames.labelValue(run.jobId()))
                .withLabel(DriverPodManifests.SPARK_ROLE, "driver").list().getItems();
        for (Pod orphan : pods) {
            if (!run.jobId().equals(annotation(orphan, DriverPodManifests.JOB_ID))
                    || run.attemptId().equals(annotation(orphan, DriverPodManifests.ATTEMPT_ID)) || finished(orphan)) {
                continue;
            }
            String name = orphan.getMetadata().getName();
            LOG.info("attempt {}: deleting driver pod {} left running by attempt {}", run.attemptId(), name,
                    annotation(orphan, DriverPodManifests.ATTEMPT_ID));
            var resource = client.pods().inNamespace(pool.namespace()).withName(name);
            resource.withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
            try {
                resource.waitUntilCondition(p -> p == null || !name.equals(p.getMetadata().getName())
                        || !orphan.getMetadata().getUid().equals(p.getMetadata().getUid()),
                        DELETE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (KubernetesClientException e) {
                if (e.getCause() instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedException("interrupted while waiting for an orphaned driver pod to go");
                }
                return java.util.Optional.of("driver pod " + name + " of an earlier attempt is still there "
                        + DELETE_WAIT.toSeconds() + " s after being deleted; not starting " + run.attemptId()
                        + " beside it");
            }
        }
        return java.util.Optional.empty();
    }

    /** Deletes the attempt's pod (its owned objects go with it); false when the API server refused or failed. */
    private boolean deleteQuietly(DriverPodNames names) {
        try {
            client.pods().inNamespace(pool.namespace()).withName(names.driverPod())
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
            return true;
        } catch (KubernetesClientException e) {
            LOG.warn("attempt {}: cannot delete its driver pod {}: {}", names.attemptId(), names.driverPod(),
                    e.getMessage());
            return false;
        }
    }

    /** The attempt's pod if it exists: its missing owned objects are created, and it is watched. */
    @Override
    public Adoption adopt(RunAssignment run) {
        DriverPodNames names = DriverPodNames.of(run.attemptId());
        Pod pod = client.pods().inNamespace(pool.namespace()).withName(names.driverPod()).get();
        if (pod == null || !run.attemptId().equals(annotation(pod, DriverPodManifests.ATTEMPT_ID))) {
            return new Adoption.NotLaunched();
        }
        try {
            DriverPodObjects objects = manifests.render(run, secrets.apply(run));
            ensureOwned(objects, pod);
            return new Adoption.Running(watch(objects, SparkConnectServer.isSession(run)));
        } catch (LaunchRefusedException e) {
            // it was launched from the same assignment, so this cannot happen unless the pool changed
            LOG.warn("attempt {}: adopting its pod, but its manifests no longer render: {}", run.attemptId(),
                    e.getMessage());
            return new Adoption.Running(watch(new DriverPodObjects(names, pod, null, null, null, null, null, null),
                    SparkConnectServer.isSession(run)));
        }
    }

    @Override
    public boolean cancel(String attemptId) throws InterruptedException {
        DriverPodNames names = DriverPodNames.of(attemptId);
        Watched w = watched.get(attemptId);
        if (w != null) {
            w.app().cancelling();
        }
        var pod = client.pods().inNamespace(pool.namespace()).withName(names.driverPod());
        boolean deleted = !pod.withPropagationPolicy(DeletionPropagation.BACKGROUND).delete().isEmpty();
        if (!deleted) {
            return false;
        }
        LOG.info("attempt {}: cancelled, driver pod {} deleted", attemptId, names.driverPod());
        try {
            pod.waitUntilCondition(Objects::isNull, DELETE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (KubernetesClientException e) {
            if (e.getCause() instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new InterruptedException("interrupted while waiting for the driver pod to go");
            }
            LOG.warn("attempt {}: driver pod {} still there after {}s", attemptId, names.driverPod(),
                    DELETE_WAIT.toSeconds());
        }
        if (w != null) {
            w.app().podDeleted();
        }
        return true;
    }

    @Override
    public void close() {
        closed = true;
        watched.values().forEach(w -> w.informer().close());
        watched.clear();
        timers.shutdownNow();
    }

    /** The app of an attempt this launcher watches, or null. */
    DriverPodApp app(String attemptId) {
        Watched w = watched.get(attemptId);
        return w == null ? null : w.app();
    }

    private DriverPodApp watch(DriverPodObjects objects, boolean session) {
        String attemptId = objects.names().attemptId();
        Watched existing = watched.get(attemptId);
        if (existing != null && !existing.app().exit().isDone()) {
            return existing.app();
        }
        DriverPodApp app = new DriverPodApp(attemptId, objects.names().base(), objects.sparkUiUrl(), clock,
                pool.unschedulablePatience(), pending -> recheck(pending.app(), pending.at()),
                session ? DriverPodSession.RELAY_CONTAINER : null);
        SharedIndexInformer<Pod> informer = client.pods().inNamespace(pool.namespace())
                .withName(objects.names().driverPod()).inform(new ResourceEventHandler<Pod>() {
                    @Override
                    public void onAdd(Pod pod) {
                        app.observe(pod);
                    }

                    @Override
                    public void onUpdate(Pod old, Pod pod) {
                        app.observe(pod);
                    }

                    @Override
                    public void onDelete(Pod pod, boolean finalStateUnknown) {
                        app.podDeleted();
                    }
                });
        watched.put(attemptId, new Watched(app, informer));
        app.exit().thenAccept(exit -> ended(objects.names(), app, informer, exit));
        return app;
    }

    /** Stops watching an ended attempt and schedules its pod's deletion. */
    private void ended(DriverPodNames names, DriverPodApp app, SharedIndexInformer<Pod> informer, AppExit exit) {
        LOG.info("attempt {}: driver ended (exit code {}, cancelled {}, reason {}): {}", names.attemptId(),
                exit.exitCode(), exit.cancelled(), exit.reason(), exit.message());
        if (!app.cancelled() && app.lastPod() != null) {
            Duration delay = finished(app.lastPod()) && !app.sidecarEnded() ? pool.cleanupDelay() : Duration.ZERO;
            schedule(() -> deleteUntilGone(names, 1), delay);
        }
        schedule(() -> {
            informer.close();
            watched.remove(names.attemptId(), new Watched(app, informer));
        }, Duration.ZERO);
    }

    /** Deletes an ended attempt's pod; a failed call (the API server busy or away) is tried again, a few times. */
    private void deleteUntilGone(DriverPodNames names, int attempt) {
        LOG.info("attempt {}: deleting its driver pod {}", names.attemptId(), names.driverPod());
        if (deleteQuietly(names) || attempt >= CLEANUP_TRIES) {
            return;
        }
        schedule(() -> deleteUntilGone(names, attempt + 1), CLEANUP_RETRY.multipliedBy(attempt));
    }

    private void recheck(DriverPodApp app, Instant at) {
        Duration wait = Duration.between(clock.instant(), at);
        schedule(() -> {
            Pod pod = client.pods().inNamespace(pool.namespace()).withName(DriverPodNames.of(app.attemptId())
                    .driverPod()).get();
            if (pod == null) {
                app.podDeleted();
            } else {
                app.observe(pod);
            }
        }, wait.isNegative() ? Duration.ZERO : wait.plusMillis(10));
    }

    private void schedule(Runnable task, Duration delay) {
        if (closed) {
            return;
        }
        timers.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("driver pod housekeeping failed: {}", e.toString());
            }
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void ensureOwned(DriverPodObjects objects, Pod pod) {
        if (objects.configMap() == null) {
            return;
        }
        for (HasMetadata object : objects.ownedBy(pod)) {
            createOrGet(object);
        }
    }

    /** An object as the API server holds it, and whether this call created it. */
    private record Created<T>(T object, boolean created) {
    }

    /** Creates {@code object}, or returns the one that exists under its name (create-or-get: never a second one). */
    private <T extends HasMetadata> Created<T> createOrGet(T object) {
        try {
            return new Created<>(client.resource(object).create(), true);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            T existing = client.resource(object).get();
            if (existing == null) {
                throw e;
            }
            LOG.info("adopting existing {} {}/{}", existing.getKind(), pool.namespace(),
                    existing.getMetadata().getName());
            return new Created<>(existing, false);
        }
    }

    private static boolean finished(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase) || (pod.getStatus() != null
                && pod.getStatus().getContainerStatuses() != null && pod.getStatus().getContainerStatuses().stream()
                        .anyMatch(c -> c.getState() != null && c.getState().getTerminated() != null));
    }

    private static String annotation(Pod pod, String key) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }
}
