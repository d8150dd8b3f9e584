package io.kindling.worker.k8s;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kindling.common.config.ConfigException;
import io.kindling.common.pools.KubernetesKeys;
import io.kindling.common.pools.LaunchPolicy;
import io.kindling.common.pools.PoolBackend;
import io.kindling.common.pools.PoolConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A {@code backend: kubernetes} pool of the pools file as the driver-pod backend takes it. Affinity,
 * tolerations and volumes are read as Kubernetes' own types; a value they do not accept fails at
 * start-up naming the pool and the key.
 */
public final class DriverPodPools {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private DriverPodPools() {
    }

    /**
     * @param defaultNamespace where pods go when the pool names no namespace (the client's own)
     * @param workerImage      the init container's image when the pool names no {@code artifactFetcherImage}
     */
    public static DriverPodPoolConfig from(PoolConfig pool, String defaultNamespace, String workerImage) {
        PoolBackend b = pool.backend();
        KubernetesKeys k = b.kubernetes();
        String where = "pool '" + pool.name() + "'";
        try {
            return new DriverPodPoolConfig(
                    b.namespace() == null ? defaultNamespace : b.namespace(),
                    b.image(),
                    b.sparkHome(),
                    b.serviceAccount(),
                    k.imagePullPolicy(),
                    k.imagePullSecrets(),
                    resources(k.driverResources()),
                    resources(k.executorResources()),
                    k.nodeSelector(),
                    k.affinity() == null ? null : convert(k.affinity(), Affinity.class, where, "affinity"),
                    list(k.tolerations(), Toleration.class, where, "tolerations"),
                    k.priorityClassName(),
                    k.schedulerName(),
                    list(k.volumes(), Volume.class, where, "volumes"),
                    list(k.volumeMounts(), VolumeMount.class, where, "volumeMounts"),
                    ingress(k.ingress()),
                    k.eventLogDir(),
                    k.cleanupDelaySeconds() == null ? null : Duration.ofSeconds(k.cleanupDelaySeconds()),
                    k.unschedulablePatienceSeconds() == null ? null : Duration.ofSeconds(k.unschedulablePatienceSeconds()),
                    b.conf(),
                    new DriverPodPoolConfig.ArtifactInit(
                            k.artifactFetcherImage() == null ? workerImage : k.artifactFetcherImage(),
                            k.blobStoreSecret()),
                    LaunchPolicy.of(b, null));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ConfigException(where + ": " + e.getMessage());
        }
    }

    private static DriverPodPoolConfig.Resources resources(KubernetesKeys.Resources r) {
        if (r == null) {
            return null;
        }
        DriverPodPoolConfig.Resources d = DriverPodPoolConfig.Resources.DEFAULT;
        return new DriverPodPoolConfig.Resources(r.cores() == null ? d.cores() : r.cores(),
                r.memoryMib() == null ? d.memoryMib() : r.memoryMib(),
                r.overheadMib() == null ? d.overheadMib() : r.overheadMib(), r.cpuLimit());
    }

    private static DriverPodPoolConfig.IngressSettings ingress(KubernetesKeys.Ingress i) {
        if (i == null) {
            return null;
        }
        return new DriverPodPoolConfig.IngressSettings(Boolean.TRUE.equals(i.enabled()), i.host(), i.className(),
                i.pathPrefix(), Boolean.TRUE.equals(i.tls()), i.annotations());
    }

    private static <T> List<T> list(List<Map<String, Object>> values, Class<T> type, String where, String key) {
        return values == null ? null : values.stream().map(v -> convert(v, type, where, key)).toList();
    }

    private static <T> T convert(Object value, Class<T> type, String where, String key) {
        try {
            return SERIALIZATION.convertValue(value, type);
        } catch (RuntimeException e) {
            throw new ConfigException(where + ": " + key + " is not a valid Kubernetes " + type.getSimpleName() + ": "
                    + e.getMessage());
        }
    }
}
