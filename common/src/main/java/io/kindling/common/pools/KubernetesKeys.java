package io.kindling.common.pools;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The keys only a {@code backend: kubernetes} pool takes (besides {@code namespace}, {@code image},
 * {@code serviceAccount}, {@code sparkHome} and {@code conf} of {@link PoolBackend}). They sit flat
 * in the pool's YAML. Affinity, tolerations, volumes and volume mounts are Kubernetes' own YAML,
 * kept as plain maps here (the worker turns them into fabric8 types).
 *
 * @param imagePullPolicy              {@code Always}, {@code IfNotPresent} or {@code Never}
 * @param imagePullSecrets             names of docker-registry secrets
 * @param driverResources              driver cores / memory (default 1 core, 1024 MiB + 384 MiB overhead)
 * @param executorResources            executor cores / memory (same default)
 * @param nodeSelector                 for the driver and the executors
 * @param affinity                     a Kubernetes {@code Affinity}
 * @param tolerations                  Kubernetes {@code Toleration}s
 * @param priorityClassName            the pods' priority class
 * @param schedulerName                e.g. {@code volcano} or {@code yunikorn}
 * @param volumes                      Kubernetes {@code Volume}s of the driver and executor pods
 * @param volumeMounts                 Kubernetes {@code VolumeMount}s of their containers
 * @param ingress                      the Spark UI through an Ingress
 * @param eventLogDir                  {@code spark.eventLog.dir} inside the pods
 * @param cleanupDelaySeconds          how long a finished driver pod is kept
 * @param unschedulablePatienceSeconds how long a driver pod may stay unschedulable
 * @param artifactFetcherImage         image of the init container that fetches {@code artifact://} URIs
 *                                     (default: the worker's own image)
 * @param blobStoreSecret              the Secret whose keys ({@code KINDLING_BLOB_*}) give the init container
 *                                     its blob store settings
 */
public record KubernetesKeys(
        String imagePullPolicy,
        List<String> imagePullSecrets,
        Resources driverResources,
        Resources executorResources,
        Map<String, String> nodeSelector,
        Map<String, Object> affinity,
        List<Map<String, Object>> tolerations,
        String priorityClassName,
        String schedulerName,
        List<Map<String, Object>> volumes,
        List<Map<String, Object>> volumeMounts,
        Ingress ingress,
        String eventLogDir,
        Integer cleanupDelaySeconds,
        Integer unschedulablePatienceSeconds,
        String artifactFetcherImage,
        String blobStoreSecret) {

    public static final KubernetesKeys NONE = new KubernetesKeys(null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null, null);
    private static final Set<String> PULL_POLICIES = Set.of("Always", "IfNotPresent", "Never");

    public KubernetesKeys {
        imagePullSecrets = imagePullSecrets == null ? null : List.copyOf(imagePullSecrets);
        nodeSelector = nodeSelector == null ? null : java.util.Collections.unmodifiableMap(new TreeMap<>(nodeSelector));
        tolerations = tolerations == null ? null : List.copyOf(tolerations);
        volumes = volumes == null ? null : List.copyOf(volumes);
        volumeMounts = volumeMounts == null ? null : List.copyOf(volumeMounts);
    }

    /** Cores and memory of a driver or executor pod. */
    public record Resources(Integer cores, Integer memoryMib, Integer overheadMib, String cpuLimit) {
    }

    /** The Spark UI through an Ingress at {@code <host>/<pathPrefix>/<attemptId>}. */
    public record Ingress(Boolean enabled, String host, String className, String pathPrefix, Boolean tls,
            Map<String, String> annotations) {
    }

    /** The keys that are set, by name (a spark-submit pool must set none). */
    public List<String> setKeys() {
        List<String> set = new ArrayList<>();
        for (var c : KubernetesKeys.class.getRecordComponents()) {
            try {
                if (c.getAccessor().invoke(this) != null) {
                    set.add(c.getName());
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return set;
    }

    /** The impossible values among these keys. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (imagePullPolicy != null && !PULL_POLICIES.contains(imagePullPolicy)) {
            problems.add("imagePullPolicy must be Always, IfNotPresent or Never, was '" + imagePullPolicy + "'");
        }
        if (cleanupDelaySeconds != null && cleanupDelaySeconds < 0) {
            problems.add("cleanupDelaySeconds must be >= 0, was " + cleanupDelaySeconds);
        }
        if (unschedulablePatienceSeconds != null && unschedulablePatienceSeconds < 1) {
            problems.add("unschedulablePatienceSeconds must be >= 1, was " + unschedulablePatienceSeconds);
        }
        resources("driverResources", driverResources, problems);
        resources("executorResources", executorResources, problems);
        if (ingress != null && Boolean.TRUE.equals(ingress.enabled()) && (ingress.host() == null || ingress.host().isBlank())) {
            problems.add("ingress.enabled needs ingress.host");
        }
        if (ingress != null && !Boolean.TRUE.equals(ingress.enabled()) && ingress.host() != null) {
            problems.add("ingress.host is set but ingress.enabled is not true");
        }
        if (blobStoreSecret != null && !blobStoreSecret.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
            problems.add("blobStoreSecret must be a Kubernetes Secret name, was '" + blobStoreSecret + "'");
        }
        return problems;
    }

    private static void resources(String key, Resources r, List<String> problems) {
        if (r == null) {
            return;
        }
        if ((r.cores() != null && r.cores() < 1) || (r.memoryMib() != null && r.memoryMib() < 1)
                || (r.overheadMib() != null && r.overheadMib() < 0)) {
            problems.add(key + " needs cores >= 1, memoryMib >= 1 and overheadMib >= 0");
        }
    }
}
