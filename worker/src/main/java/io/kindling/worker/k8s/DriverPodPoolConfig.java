package io.kindling.worker.k8s;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.kindling.common.pools.LaunchPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything a pool with {@code backend: kubernetes} tells the driver-pod backend. Built from the
 * pools YAML by {@link DriverPodPools} (one field per key); affinity, tolerations and volumes are Kubernetes' own
 * types, so their YAML is Kubernetes' YAML.
 *
 * @param namespace            where driver pods, executor pods and their services live
 * @param image                the Spark image of the driver and the executors (it has {@code sparkHome})
 * @param sparkHome            where Spark is in the image ({@code /opt/spark} in the Apache images)
 * @param serviceAccount       the driver's service account: it must be allowed to create executor pods
 * @param imagePullPolicy      {@code Always}, {@code IfNotPresent}, {@code Never}, or null for the cluster's default
 * @param imagePullSecrets     names of docker-registry secrets
 * @param driver               driver resources unless the job's conf sets {@code spark.driver.cores/memory}
 * @param executor             executor resources unless the job's conf sets them
 * @param nodeSelector         for the driver and the executors
 * @param affinity             for the driver and the executors, or null
 * @param tolerations          for the driver and the executors
 * @param priorityClassName    or null
 * @param schedulerName        e.g. {@code volcano} or {@code yunikorn}; null for the default scheduler
 * @param volumes              volumes of the driver and executor pods (e.g. the event-log volume)
 * @param volumeMounts         where the driver and executor containers mount them
 * @param ingress              whether and how the Spark UI is exposed
 * @param eventLogDir          {@code spark.eventLog.dir}: a path on a mounted volume ({@code file:/...}) or
 *                             {@code abfss://...}; it must exist (see {@code package-info})
 * @param cleanupDelay         how long a finished driver pod is kept (its log readable) before it is deleted
 * @param unschedulablePatience how long a driver pod may stay unschedulable before the attempt fails
 * @param sparkConf            conf defaults; a job's conf overrides them, the worker's own keys override both
 * @param artifacts            how the pod's init container fetches the job's {@code artifact://} URIs
 * @param policy               what a job may set (environment, conf, local paths): the pool's {@link LaunchPolicy}
 */
public record DriverPodPoolConfig(
        String namespace,
        String image,
        String sparkHome,
        String serviceAccount,
        String imagePullPolicy,
        List<String> imagePullSecrets,
        Resources driver,
        Resources executor,
        Map<String, String> nodeSelector,
        Affinity affinity,
        List<Toleration> tolerations,
        String priorityClassName,
        String schedulerName,
        List<Volume> volumes,
        List<VolumeMount> volumeMounts,
        IngressSettings ingress,
        String eventLogDir,
        Duration cleanupDelay,
        Duration unschedulablePatience,
        Map<String, String> sparkConf,
        ArtifactInit artifacts,
        LaunchPolicy policy) {

    public static final String DEFAULT_SPARK_HOME = "/opt/spark";
    public static final String DEFAULT_EVENT_LOG_DIR = "file:/kindling/eventlogs";
    public static final Duration DEFAULT_CLEANUP_DELAY = Duration.ofMinutes(10);
    public static final Duration DEFAULT_UNSCHEDULABLE_PATIENCE = Duration.ofMinutes(5);

    public DriverPodPoolConfig {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(image, "image");
        sparkHome = sparkHome == null ? DEFAULT_SPARK_HOME : sparkHome;
        imagePullSecrets = imagePullSecrets == null ? List.of() : List.copyOf(imagePullSecrets);
        driver = driver == null ? Resources.DEFAULT : driver;
        executor = executor == null ? Resources.DEFAULT : executor;
        nodeSelector = sorted(nodeSelector);
        tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        volumeMounts = volumeMounts == null ? List.of() : List.copyOf(volumeMounts);
        ingress = ingress == null ? IngressSettings.DISABLED : ingress;
        eventLogDir = eventLogDir == null ? DEFAULT_EVENT_LOG_DIR : eventLogDir;
        cleanupDelay = cleanupDelay == null ? DEFAULT_CLEANUP_DELAY : cleanupDelay;
        unschedulablePatience = unschedulablePatience == null ? DEFAULT_UNSCHEDULABLE_PATIENCE : unschedulablePatience;
        sparkConf = sorted(sparkConf);
        artifacts = artifacts == null ? ArtifactInit.DEFAULT : artifacts;
        policy = policy == null ? LaunchPolicy.defaults() : policy;
    }

    /** With the default launch policy (local paths in the image unchecked). */
    public DriverPodPoolConfig(String namespace, String image, String sparkHome, String serviceAccount,
            String imagePullPolicy, List<String> imagePullSecrets, Resources driver, Resources executor,
            Map<String, String> nodeSelector, Affinity affinity, List<Toleration> tolerations, String priorityClassName,
            String schedulerName, List<Volume> volumes, List<VolumeMount> volumeMounts, IngressSettings ingress,
            String eventLogDir, Duration cleanupDelay, Duration unschedulablePatience, Map<String, String> sparkConf,
            ArtifactInit artifacts) {
        this(namespace, image, sparkHome, serviceAccount, imagePullPolicy, imagePullSecrets, driver, executor,
                nodeSelector, affinity, tolerations, priorityClassName, schedulerName, volumes, volumeMounts, ingress,
                eventLogDir, cleanupDelay, unschedulablePatience, sparkConf, artifacts, null);
    }

    /** A pool with defaults for everything but where pods go and which image they run. */
    public static DriverPodPoolConfig of(String namespace, String image) {
        return new DriverPodPoolConfig(namespace, image, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null);
    }

    /** This pool with {@code artifacts} as its artifact init settings. */
    public DriverPodPoolConfig withArtifacts(ArtifactInit init) {
        return new DriverPodPoolConfig(namespace, image, sparkHome, serviceAccount, imagePullPolicy, imagePullSecrets,
                driver, executor, nodeSelector, affinity, tolerations, priorityClassName, schedulerName, volumes,
                volumeMounts, ingress, eventLogDir, cleanupDelay, unschedulablePatience, sparkConf, init, policy);
    }

    /** This pool with {@code policy} as its launch policy. */
    public DriverPodPoolConfig withPolicy(LaunchPolicy launchPolicy) {
        return new DriverPodPoolConfig(namespace, image, sparkHome, serviceAccount, imagePullPolicy, imagePullSecrets,
                driver, executor, nodeSelector, affinity, tolerations, priorityClassName, schedulerName, volumes,
                volumeMounts, ingress, eventLogDir, cleanupDelay, unschedulablePatience, sparkConf, artifacts,
                launchPolicy);
    }

    /**
     * The init container that fetches a job's {@code artifact://} URIs into the pod.
     *
     * @param image      runs {@code io.kindling.worker.artifacts.FetchMain} (the worker's image)
     * @param secretName the Secret whose keys become the init container's environment (blob store settings),
     *                   or null when the pool serves no artifacts
     */
    public record ArtifactInit(String image, String secretName) {
        public static final ArtifactInit DEFAULT = new ArtifactInit("kindling/worker:latest", null);

        public ArtifactInit {
            image = image == null ? DEFAULT_FETCHER_IMAGE : image;
        }
    }

    private static final String DEFAULT_FETCHER_IMAGE = "kindling/worker:latest";

    /**
     * CPU and memory of one driver or executor.
     *
     * @param cores          Spark cores ({@code spark.driver.cores}); also the pod's CPU request
     * @param memoryMib      the JVM heap ({@code spark.driver.memory}), MiB
     * @param overheadMib    non-heap memory on top of the heap, MiB; the pod's memory is heap + overhead
     * @param cpuLimit       the pod's CPU limit, or null for none
     */
    public record Resources(int cores, int memoryMib, int overheadMib, String cpuLimit) {
        public static final Resources DEFAULT = new Resources(1, 1024, 384, null);

        public Resources {
            if (cores < 1 || memoryMib < 1 || overheadMib < 0) {
                throw new IllegalArgumentException("resources need cores >= 1, memoryMib >= 1 and overheadMib >= 0");
            }
        }
    }

    /**
     * The Spark UI through an Ingress: {@code <host>/<pathPrefix>/<attemptId>}, with
     * {@code spark.ui.proxyBase} set to that path. Spark serves its UI at {@code /} and only
     * prefixes its links, so the controller must strip the prefix: with ingress-nginx, put
     * {@code nginx.ingress.kubernetes.io/rewrite-target: /$2} in {@code annotations} and the path
     * becomes {@code /<pathPrefix>/<attemptId>(/|$)(.*)}.
     */
    public record IngressSettings(boolean enabled, String host, String className, String pathPrefix, boolean tls,
            Map<String, String> annotations) {
        public static final IngressSettings DISABLED = new IngressSettings(false, null, null, null, false, null);

        public IngressSettings {
            pathPrefix = pathPrefix == null ? "spark" : pathPrefix.replaceAll("^/+|/+$", "");
            annotations = sorted(annotations);
            if (enabled && (host == null || host.isBlank())) {
                throw new IllegalArgumentException("an enabled ingress needs a host");
            }
        }
    }

    private static Map<String, String> sorted(Map<String, String> map) {
        return map == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(map));
    }
}
