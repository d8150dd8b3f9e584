package io.kindling.worker.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.common.pools.PoolsFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a standalone cluster-mode pool's settings reach the follower the attempt shim runs. */
class StandaloneClusterDriverTest {

    private static SparkSubmitConfig pool(String keys) {
        return new SparkSubmitConfig(Path.of("/opt/spark"), null, null, "local[*]").withPool(PoolsFile.parse(
                "pools:\n  jvm: {master: 'spark://m1:6066,m2:6066', deployMode: cluster" + keys + "}\n", "test")
                .pools().get("jvm").backend());
    }

    @Test
    void without_a_driver_log_dir_the_follower_reads_the_master_ui_on_port_8080_of_the_master_host_every_2_s() {
        List<String> args = StandaloneClusterDriver.arguments(pool(""), Path.of("/spool/a-1"));

        assertThat(args).containsExactly(StandaloneClusterDriver.class.getName(), "http://m1:6066", "/spool/a-1",
                "--master-ui", "http://m1:8080", "--poll-millis", "2000", "--");
    }

    @Test
    void the_pool_names_the_master_ui_the_poll_interval_and_optionally_a_shared_driver_log_dir() {
        List<String> args = StandaloneClusterDriver.arguments(pool(", masterWebUi: 'https://ui.example:18080/',"
                + " driverLogPollSeconds: 5, driverLogDir: /mnt/spark-work"), Path.of("/spool/a-1"));

        assertThat(args).containsSubsequence("--log-dir", "/mnt/spark-work").containsSubsequence("--master-ui",
                "https://ui.example:18080", "--poll-millis", "5000", "--");
    }
}
