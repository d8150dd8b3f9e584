package io.kindling.common.pools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.common.config.ConfigException;
import io.kindling.schemas.FailureReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoolsFileTest {

    private static final String EXAMPLE = """
            pools:
              onprem:
                backend: spark-submit
                master: spark://spark-master:7077
                deployMode: client            # or cluster (JVM apps only on standalone)
                sparkHome: /opt/spark
                conf: {spark.driver.bindAddress: 0.0.0.0}
                maxRunning: 20
                maxRunningPerTenant: 5
                queueTimeoutSeconds: 3600
                leaseSeconds: 45
                agingSeconds: 30
                retry: {maxAttempts: 2, retryOn: [APP_FAILED, LOST]}
              aks:
                backend: kubernetes
                namespace: spark-jobs
                image: myacr.azurecr.io/spark-py:4.0
                serviceAccount: spark
            """;

    @Test
    void readsTheDocumentedExample(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pools.yaml");
        Files.writeString(file, EXAMPLE);
        PoolsFile pools = PoolsFile.load(file);
        assertThat(pools.names()).containsExactly("aks", "onprem");
        PoolConfig onprem = pools.pools().get("onprem");
        assertThat(onprem.backend().master()).isEqualTo("spark://spark-master:7077");
        assertThat(onprem.backend().conf()).containsEntry("spark.driver.bindAddress", "0.0.0.0");
        assertThat(onprem.scheduling().maxRunning()).isEqualTo(20);
        assertThat(onprem.scheduling().leaseSeconds()).isEqualTo(45);
        assertThat(onprem.scheduling().retry().maxAttempts()).isEqualTo(2);
        assertThat(onprem.scheduling().retry().retryOn()).containsExactly(FailureReason.APP_FAILED, FailureReason.LOST);
        PoolConfig aks = pools.pools().get("aks");
        assertThat(aks.backend().backend()).isEqualTo("kubernetes");
        assertThat(aks.backend().image()).isEqualTo("myacr.azurecr.io/spark-py:4.0");
        assertThat(aks.scheduling()).isEqualTo(PoolScheduling.defaults());
    }

    @Test
    void readsTheKubernetesPoolKeys() {
        PoolConfig pool = PoolsFile.parse("""
                pools:
                  aks:
                    backend: kubernetes
                    namespace: spark-jobs
                    image: myacr.azurecr.io/spark-py:4.0
                    serviceAccount: spark
                    imagePullPolicy: IfNotPresent
                    imagePullSecrets: [acr-pull]
                    driverResources: {cores: 2, memoryMib: 4096}
                    nodeSelector: {agentpool: spark}
                    tolerations: [{key: spark, operator: Equal, value: "true", effect: NoSchedule}]
                    priorityClassName: spark-batch
                    schedulerName: volcano
                    ingress: {enabled: true, host: spark.example.com, className: nginx}
                    eventLogDir: file:/kindling/eventlogs
                    cleanupDelaySeconds: 300
                    artifactFetcherImage: myacr.azurecr.io/kindling-worker:1
                    blobStoreSecret: kindling-blob-store
                """, "f").pools().get("aks");
        KubernetesKeys k = pool.backend().kubernetes();
        assertThat(pool.backend().namespace()).isEqualTo("spark-jobs");
        assertThat(k.imagePullSecrets()).containsExactly("acr-pull");
        assertThat(k.driverResources().memoryMib()).isEqualTo(4096);
        assertThat(k.tolerations()).singleElement().satisfies(t -> assertThat(t).containsEntry("effect", "NoSchedule"));
        assertThat(k.ingress().host()).isEqualTo("spark.example.com");
        assertThat(k.cleanupDelaySeconds()).isEqualTo(300);
        assertThat(k.blobStoreSecret()).isEqualTo("kindling-blob-store");
    }

    @Test
    void kubernetesKeysOnlyApplyToKubernetesPoolsAndMustBePossible() {
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {schedulerName: volcano, cleanupDelaySeconds: 3}\n", "f"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schedulerName, cleanupDelaySeconds")
                .hasMessageContaining("only apply to backend kubernetes");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {backend: kubernetes, image: i, imagePullPolicy: Sometimes}\n", "f"))
                .hasMessageContaining("imagePullPolicy");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {backend: kubernetes, image: i, ingress: {enabled: true}}\n", "f"))
                .hasMessageContaining("ingress.host");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {backend: kubernetes, image: i, master: yarn}\n", "f"))
                .hasMessageContaining("master");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {backend: kubernetes, image: i, cleanupDelaySeconds: -1}\n", "f"))
                .hasMessageContaining("cleanupDelaySeconds");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {backend: kubernetes, image: i, ingress: {hots: h}}\n", "f"))
                .hasMessageContaining("hots");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {backend: kubernetes, image: i, kubernetes: {}}\n", "f"))
                .hasMessageContaining("unknown key(s) kubernetes");
    }

    @Test
    void anEmptyPoolTakesEveryDefault() {
        PoolConfig pool = PoolsFile.parse("pools:\n  default: {}\n", "x").pools().get("default");
        assertThat(pool).isEqualTo(PoolConfig.defaults("default"));
        assertThat(pool.backend().backend()).isEqualTo("spark-submit");
    }

    @Test
    void unknownKeysAreNamed() {
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {maxRuning: 3}\n", "f.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("f.yaml").hasMessageContaining("pool 'a'")
                .hasMessageContaining("maxRuning");
        assertThatThrownBy(() -> PoolsFile.parse("pool:\n  a: {}\n", "f.yaml")).hasMessageContaining("pool");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {retry: {tries: 3}}\n", "f.yaml"))
                .hasMessageContaining("tries");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {retry: {retryOn: [SOMETIMES]}}\n", "f.yaml"))
                .hasMessageContaining("retry.retryOn");
    }

    @Test
    void impossibleCombinationsAreNamed() {
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {backend: yarn}\n", "f")).hasMessageContaining("backend");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {namespace: x}\n", "f")).hasMessageContaining("namespace");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {backend: kubernetes}\n", "f")).hasMessageContaining("image");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {master: 'local[*]', deployMode: cluster}\n", "f"))
                .hasMessageContaining("deployMode cluster");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {maxRunning: 2, maxRunningPerTenant: 3}\n", "f"))
                .hasMessageContaining("maxRunningPerTenant");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {maxRunning: 0}\n", "f")).hasMessageContaining("maxRunning");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {retry: {initialBackoffSeconds: 9, maxBackoffSeconds: 1}}\n", "f"))
                .hasMessageContaining("maxBackoffSeconds");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  Bad_Name: {}\n", "f")).hasMessageContaining("Bad_Name");
    }

    @Test
    void spark_submit_keys_are_read_and_checked() {
        PoolBackend b = PoolsFile.parse("pools:\n  a: {master: 'spark://m:7077', deployMode: client, driverPortRange: 40000-40999,"
                + " driverHost: 10.0.0.5, confDeny: ['spark.driver.*'], confAllow: ['spark.executor.*', spark.sql.shuffle.partitions]}\n",
                "f").pools().get("a").backend();
        assertThat(b.portRange()).containsExactly(40000, 40999);
        assertThat(b.driverHost()).isEqualTo("10.0.0.5");
        assertThat(PoolBackend.matches("spark.driver.memory", b.confDeny())).isTrue();
        assertThat(PoolBackend.matches("spark.executor.memory", b.confDeny())).isFalse();
        assertThat(PoolBackend.matches("spark.sql.shuffle.partitions", b.confAllow())).isTrue();
        assertThat(PoolBackend.defaults().confAllow()).isNull();

        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {driverPortRange: '40000'}\n", "f"))
                .hasMessageContaining("driverPortRange");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {driverPortRange: 80-90}\n", "f"))
                .hasMessageContaining("1024-65535");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {master: 'spark://m:7077', deployMode: cluster, driverPortRange: 40000-40009}\n", "f"))
                .hasMessageContaining("driverPortRange does not apply to deployMode cluster");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {backend: kubernetes, image: i, driverHost: h}\n", "f"))
                .hasMessageContaining("driverHost");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {confDeny: ['spark.x;rm']}\n", "f"))
                .hasMessageContaining("confDeny entry 'spark.x;rm'");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {conf: {spark.driver.host: h}, confDeny: ['spark.driver.*']}\n", "f"))
                .hasMessageContaining("spark.driver.host");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {master: 'mars://x'}\n", "f")).hasMessageContaining("mars://x");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {master: yarn, deployMode: cluster, driverLogDir: /w}\n", "f"))
                .hasMessageContaining("driverLogDir only applies");
        assertThat(PoolsFile.parse("pools:\n  a: {master: 'spark://m:6066', deployMode: cluster, driverLogDir: /w}\n", "f")
                .pools().get("a").backend().driverLogDir()).isEqualTo("/w");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {master: 'spark://m:7077', masterWebUi: 'http://m:8080'}\n", "f"))
                .hasMessageContaining("masterWebUi and driverLogPollSeconds only apply to deployMode cluster");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {master: 'spark://m:6066', deployMode: cluster,"
                + " masterWebUi: 'file:/etc'}\n", "f")).hasMessageContaining("masterWebUi must be http(s)://host:port");
        assertThatThrownBy(() -> PoolsFile.parse("pools:\n  a: {master: 'spark://m:6066', deployMode: cluster,"
                + " driverLogPollSeconds: 0}\n", "f")).hasMessageContaining("driverLogPollSeconds must be within 1-300");
        PoolBackend standalone = PoolsFile.parse("pools:\n  a: {master: 'spark://m:6066', deployMode: cluster,"
                + " masterWebUi: 'http://m:18080', driverLogPollSeconds: 5}\n", "f").pools().get("a").backend();
        assertThat(standalone.masterWebUi()).isEqualTo("http://m:18080");
        assertThat(standalone.driverLogPollSeconds()).isEqualTo(5);
    }

    @Test
    void defaultsComeFromNames() {
        PoolsFile pools = PoolsFile.defaults(List.of("b", " a"));
        assertThat(pools.names()).containsExactly("a", "b");
        assertThatThrownBy(() -> PoolsFile.defaults(List.of("A B"))).hasMessageContaining("KINDLING_POOLS");
    }
}
