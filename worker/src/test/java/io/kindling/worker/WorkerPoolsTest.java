package io.kindling.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.common.config.ConfigException;
import io.kindling.common.config.EnvConfig;
import io.kindling.worker.launcher.SparkSubmitConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerPoolsTest {
    private static final String POOLS = """
            pools:
              onprem:
                backend: spark-submit
                master: spark://spark-master:7077
                deployMode: client
                sparkHome: /opt/spark-4
                conf: {spark.executor.memory: 2g}
                confDeny: ['spark.driver.*']
                driverPortRange: 40000-40999
                driverHost: 10.1.2.3
                maxRunning: 20
              batch:
                master: yarn
                deployMode: cluster
              aks:
                backend: kubernetes
                namespace: spark-jobs
                image: myacr.azurecr.io/spark-py:4.0
            """;

    @TempDir
    Path dir;

    private List<WorkerConfig> configs(Map<String, String> env) {
        return WorkerPools.from(new EnvConfig(env));
    }

    @Test
    void serves_each_named_pool_with_its_backend_settings() throws Exception {
        Path file = Files.writeString(dir.resolve("pools.yaml"), POOLS);

        List<WorkerConfig> configs = configs(Map.of("KINDLING_CONFIG", file.toString(), "KINDLING_WORKER_POOL", "onprem, batch",
                "KINDLING_SPARK_HOME", "/opt/spark", "KINDLING_WORKER_ID", "w1", "KINDLING_HOME", dir.toString()));

        assertThat(configs).extracting(WorkerConfig::pool).containsExactly("onprem", "batch");
        assertThat(configs).extracting(WorkerConfig::workerId).containsExactly("w1-onprem", "w1-batch");
        SparkSubmitConfig onprem = configs.get(0).spark();
        assertThat(onprem.sparkHome()).isEqualTo(Path.of("/opt/spark-4"));
        assertThat(onprem.master()).isEqualTo("spark://spark-master:7077");
        assertThat(onprem.poolConf()).containsEntry("spark.executor.memory", "2g");
        assertThat(onprem.policy().confProblem("spark.driver.memory", "1g")).isPresent();
        assertThat(onprem.policy().confProblem("spark.executor.memory", "1g")).isEmpty();
        assertThat(onprem.driverPorts()).isEqualTo(new SparkSubmitConfig.PortRange(40000, 40999));
        assertThat(onprem.driverHost()).isEqualTo("10.1.2.3");
        SparkSubmitConfig batch = configs.get(1).spark();
        assertThat(batch.sparkHome()).isEqualTo(Path.of("/opt/spark"));
        assertThat(batch.master()).isEqualTo("yarn");
        assertThat(batch.clusterMode()).isTrue();
    }

    @Test
    void a_pool_with_its_own_spark_home_needs_no_KINDLING_SPARK_HOME_and_one_pool_keeps_the_worker_id() throws Exception {
        Path file = Files.writeString(dir.resolve("pools.yaml"), POOLS);

        List<WorkerConfig> configs = configs(Map.of("KINDLING_CONFIG", file.toString(), "KINDLING_WORKER_POOL", "onprem",
                "KINDLING_WORKER_ID", "w1"));

        assertThat(configs).singleElement().satisfies(c -> assertThat(c.workerId()).isEqualTo("w1"));
    }

    @Test
    void without_a_pools_file_the_worker_settings_apply() {
        List<WorkerConfig> configs = configs(Map.of("KINDLING_SPARK_HOME", "/opt/spark", "KINDLING_WORKER_POOL", "a,b",
                "KINDLING_SPARK_MASTER", "spark://m:7077"));

        assertThat(configs).extracting(c -> c.spark().master()).containsExactly("spark://m:7077", "spark://m:7077");
        assertThat(configs.get(0).spark().deployMode()).isEqualTo("client");
    }

    @Test
    void a_kubernetes_pool_is_served_without_a_Spark_home_of_the_worker() throws Exception {
        Path file = Files.writeString(dir.resolve("pools.yaml"), POOLS);

        List<WorkerPools.Served> served = WorkerPools.served(new EnvConfig(Map.of("KINDLING_CONFIG", file.toString(),
                "KINDLING_WORKER_POOL", "aks", "KINDLING_HOME", dir.toString())));

        assertThat(served).singleElement().satisfies(s -> {
            assertThat(s.kubernetes()).isTrue();
            assertThat(s.pool().backend().namespace()).isEqualTo("spark-jobs");
            assertThat(s.config().pool()).isEqualTo("aks");
        });
    }

    @Test
    void unknown_pools_fail_at_start_up_naming_them() throws Exception {
        Path file = Files.writeString(dir.resolve("pools.yaml"), POOLS);

        assertThatThrownBy(() -> configs(Map.of("KINDLING_CONFIG", file.toString(), "KINDLING_WORKER_POOL", "gpu",
                "KINDLING_SPARK_HOME", "/s"))).isInstanceOf(ConfigException.class).hasMessageContaining("'gpu'")
                .hasMessageContaining("aks, batch, onprem");
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "pools:\n  a: {master: 'local[*]', deployMode: cluster}\n");
        assertThatThrownBy(() -> configs(Map.of("KINDLING_CONFIG", bad.toString(), "KINDLING_WORKER_POOL", "a",
                "KINDLING_SPARK_HOME", "/s"))).hasMessageContaining("deployMode cluster");
        assertThatThrownBy(() -> configs(Map.of("KINDLING_CONFIG", file.toString(), "KINDLING_WORKER_POOL", "batch")))
                .hasMessageContaining("KINDLING_SPARK_HOME");
    }
}
