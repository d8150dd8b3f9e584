package io.kindling.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.common.config.ConfigException;
import io.kindling.common.config.EnvConfig;
import io.kindling.common.config.KnownKeys;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerConfigTest {

    @Test
    void readsTheEnvironmentWithDefaults() {
        WorkerConfig config = WorkerConfig.fromEnv(Map.of("KINDLING_SPARK_HOME", "/opt/spark",
                "KINDLING_HOME", "/var/kindling"));

        assertThat(config.pool()).isEqualTo("default");
        assertThat(config.maxRunning()).isEqualTo(2);
        assertThat(config.workerId()).endsWith("-default");
        assertThat(config.heartbeat()).hasSeconds(5);
        assertThat(config.lease()).hasSeconds(30);
        assertThat(config.fenceAfter()).hasSeconds(20);
        assertThat(config.spark().sparkHome()).isEqualTo(Path.of("/opt/spark"));
        assertThat(config.spark().sparkSubmit()).isEqualTo(Path.of("/opt/spark/bin/spark-submit"));
        assertThat(config.spark().javaHome()).isNull();
        assertThat(config.spark().pysparkPython()).isNull();
        assertThat(config.spark().master()).isEqualTo("local[*]");
        assertThat(config.spark().localMaster()).isTrue();
        assertThat(config.spool().root()).isEqualTo(Path.of("/var/kindling/spool"));
        assertThat(config.kafka().topics().runs(config.pool())).isEqualTo("kindling.runs.default");
        assertThat(config.groupId()).isEqualTo("kindling-worker-default");
    }

    @Test
    void readsEveryWorkerKey() {
        WorkerConfig config = WorkerConfig.fromEnv(Map.of(
                "KINDLING_WORKER_ID", "w-7", "KINDLING_WORKER_POOL", "gpu", "KINDLING_WORKER_MAX_RUNNING", "5",
                "KINDLING_SPARK_HOME", "/opt/spark", "KINDLING_SPARK_JAVA_HOME", "/usr/lib/jvm/java-17",
                "KINDLING_PYSPARK_PYTHON", "/venv/bin/python", "KINDLING_SPARK_MASTER", "spark://10.0.0.1:7077",
                "KINDLING_SPOOL_DIR", "/spool"));

        assertThat(config.workerId()).isEqualTo("w-7");
        assertThat(config.pool()).isEqualTo("gpu");
        assertThat(config.maxRunning()).isEqualTo(5);
        assertThat(config.spark().javaHome()).isEqualTo(Path.of("/usr/lib/jvm/java-17"));
        assertThat(config.spark().pysparkPython()).isEqualTo("/venv/bin/python");
        assertThat(config.spark().localMaster()).isFalse();
        assertThat(config.spool().root()).isEqualTo(Path.of("/spool"));
        assertThat(config.groupId()).isEqualTo("kindling-worker-gpu");
    }

    @Test
    void failsNamingTheKey() {
        assertThatThrownBy(() -> WorkerConfig.fromEnv(Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("KINDLING_SPARK_HOME");
        assertThatThrownBy(() -> WorkerConfig.fromEnv(Map.of("KINDLING_SPARK_HOME", "/s",
                "KINDLING_WORKER_MAX_RUNNING", "0"))).hasMessageContaining("KINDLING_WORKER_MAX_RUNNING");
        assertThatThrownBy(() -> WorkerConfig.fromEnv(Map.of("KINDLING_SPARK_HOME", "/s",
                "KINDLING_WORKER_POOL", "../x"))).hasMessageContaining("KINDLING_WORKER_POOL");
    }

    @Test
    void declaresOnlyKnownKeys() {
        assertThat(WorkerConfig.PARAMETERS).allSatisfy(p -> assertThat(KnownKeys.ALL).contains(p.name()));
        assertThat(WorkerConfig.describe(new EnvConfig(Map.of("KINDLING_SPARK_HOME", "/s"))))
                .contains("KINDLING_SPARK_HOME=/s", "KINDLING_WORKER_POOL=default", "KINDLING_KAFKA_BOOTSTRAP_SERVERS=");
    }
}
