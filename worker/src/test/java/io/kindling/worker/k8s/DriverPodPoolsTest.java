package io.kindling.worker.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.common.config.ConfigException;
import io.kindling.common.pools.PoolConfig;
import io.kindling.common.pools.PoolsFile;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A kubernetes pool of the pools file, as the driver-pod backend takes it. */
class DriverPodPoolsTest {

    private static PoolConfig pool(String keys) {
        return PoolsFile.parse("pools:\n  aks:\n    backend: kubernetes\n    image: spark:4\n" + keys, "f").pools()
                .get("aks");
    }

    @Test
    void everyKeyReachesTheDriverPodConfig() {
        DriverPodPoolConfig config = DriverPodPools.from(pool("""
                    namespace: spark-jobs
                    serviceAccount: spark
                    imagePullSecrets: [acr-pull]
                    driverResources: {cores: 2, memoryMib: 4096}
                    nodeSelector: {agentpool: spark}
                    affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: mode, operator: In, values: [user]}]}]}}}
                    tolerations: [{key: spark, operator: Equal, value: "true", effect: NoSchedule}]
                    volumes: [{name: eventlogs, persistentVolumeClaim: {claimName: spark-eventlogs}}]
                    volumeMounts: [{name: eventlogs, mountPath: /kindling/eventlogs}]
                    ingress: {enabled: true, host: spark.example.com, tls: true}
                    cleanupDelaySeconds: 60
                    conf: {spark.dynamicAllocation.enabled: "false"}
                    blobStoreSecret: kindling-blob-store
                """), "default", "kindling/worker:1.0");

        assertThat(config.namespace()).isEqualTo("spark-jobs");
        assertThat(config.driver().cores()).isEqualTo(2);
        assertThat(config.driver().overheadMib()).isEqualTo(384);
        assertThat(config.tolerations()).singleElement().satisfies(t -> assertThat(t.getEffect()).isEqualTo("NoSchedule"));
        assertThat(config.affinity().getNodeAffinity()).isNotNull();
        assertThat(config.volumes()).singleElement()
                .satisfies(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("spark-eventlogs"));
        assertThat(config.ingress().enabled()).isTrue();
        assertThat(config.cleanupDelay()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.sparkConf()).containsEntry("spark.dynamicAllocation.enabled", "false");
        assertThat(config.artifacts()).isEqualTo(new DriverPodPoolConfig.ArtifactInit("kindling/worker:1.0",
                "kindling-blob-store"));
    }

    @Test
    void defaultsComeFromTheClientAndTheWorkerImage() {
        DriverPodPoolConfig config = DriverPodPools.from(pool(""), "team-a", "kindling/worker:1.0");
        assertThat(config.namespace()).isEqualTo("team-a");
        assertThat(config.artifacts().image()).isEqualTo("kindling/worker:1.0");
        assertThat(config.artifacts().secretName()).isNull();
    }

    @Test
    void kubernetesYamlThatIsNotKubernetesFailsNamingTheKey() {
        assertThatThrownBy(() -> DriverPodPools.from(pool("    tolerations: [{tolerationSeconds: soon}]\n"), "d", "w"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("pool 'aks'").hasMessageContaining("tolerations");
    }
}
