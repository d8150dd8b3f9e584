package io.kindling.worker.k8s;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;

/**
 * The executor pod template ({@code spark.kubernetes.executor.podTemplateFile}): what Spark does
 * not set itself. The attempt's labels (so the log-shipper and people find executors by job and
 * attempt), the pool's scheduling (node selector, affinity, tolerations, priority class,
 * scheduler), volumes, pull secrets and the job's secrets as {@code secretKeyRef}s.
 */
final class ExecutorPodTemplate {
    private ExecutorPodTemplate() {
    }

    static Pod pod(DriverPodPoolConfig pool, Map<String, String> labels, Map<String, SecretKeyRef> secrets) {
        return new PodBuilder()
                .withNewMetadata()
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .withEnableServiceLinks(false)
                .withServiceAccountName(pool.serviceAccount())
                .withImagePullSecrets(DriverPodManifests.pullSecrets(pool))
                .withNodeSelector(pool.nodeSelector().isEmpty() ? null : pool.nodeSelector())
                .withAffinity(pool.affinity())
                .withTolerations(pool.tolerations().isEmpty() ? null : pool.tolerations())
                .withPriorityClassName(pool.priorityClassName())
                .withSchedulerName(pool.schedulerName())
                .withVolumes(pool.volumes().isEmpty() ? null : pool.volumes())
                .withContainers(new ContainerBuilder()
                        .withName(SparkDefaults.EXECUTOR_CONTAINER)
                        .withEnv(secrets.isEmpty() ? null : DriverCommand.secretEnv(secrets))
                        .withVolumeMounts(pool.volumeMounts().isEmpty() ? null : pool.volumeMounts())
                        .build())
                .endSpec()
                .build();
    }

    static String yaml(DriverPodPoolConfig pool, Map<String, String> labels, Map<String, SecretKeyRef> secrets) {
        return Serialization.asYaml(pod(pool, labels, secrets));
    }
}
