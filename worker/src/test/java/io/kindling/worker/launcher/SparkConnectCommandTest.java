package io.kindling.worker.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.Runs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The argv of a session's Spark Connect server ({@link SparkConnectServer}), in every pool's deploy mode. */
class SparkConnectCommandTest {
    private static final Map<String, String> WORKER_ENV = Map.of("PATH", "/usr/bin:/bin");
    private static final Path EVENT_LOG = Path.of("/spool/s-1-a1/eventlog");
    private static final RunAssignment SESSION = Runs.of("s-1", "default",
            new Application(ApplicationType.SPARK_CONNECT, null, null, List.of()),
            Map.of("spark.executor.memory", "1g", "spark.connect.grpc.binding.address", "0.0.0.0",
                    "spark.connect.grpc.binding.port", "15002"), Map.of());

    @Test
    void theServerRunsInClientModeOnLoopbackWithoutAPrimaryResource() throws Exception {
        SparkSubmitConfig standalone = new SparkSubmitConfig(Path.of("/opt/spark"), null, null, "spark://master:7077");
        List<String> argv = new SparkSubmitCommand(standalone, WORKER_ENV).build(SESSION, EVENT_LOG, null, null, 40123).argv();

        assertThat(argv).containsSequence("--master", "spark://master:7077", "--deploy-mode", "client")
                .containsSequence("--conf", "spark.connect.grpc.binding.address=127.0.0.1")
                .containsSequence("--conf", "spark.connect.grpc.binding.port=40123")
                .containsSequence("--conf", "spark.executor.memory=1g")
                .containsSequence("--conf", "spark.eventLog.enabled=true")
                .doesNotContain("spark.connect.grpc.binding.address=0.0.0.0", "spark.connect.grpc.binding.port=15002");
        assertThat(argv.subList(argv.size() - 2, argv.size()))
                .as("the class last, no jar: SparkSubmit knows the Spark Connect server's class")
                .containsExactly("--class", SparkConnectServer.MAIN_CLASS);
    }

    @Test
    void aClusterModePoolRunsItsSessionsInClientMode() throws Exception {
        SparkSubmitConfig cluster = new SparkSubmitConfig(Path.of("/opt/spark"), null, null, "yarn", "cluster", Map.of(),
                io.kindling.common.pools.LaunchPolicy.defaults(), null, null, null, null);
        List<String> argv = new SparkSubmitCommand(cluster.inClientMode(), WORKER_ENV)
                .build(SESSION, EVENT_LOG, null, null, 40124).argv();

        assertThat(argv).containsSequence("--master", "yarn", "--deploy-mode", "client")
                .containsSequence("--conf", "spark.connect.grpc.binding.port=40124");
        assertThat(cluster.inClientMode().clusterMode()).isFalse();
    }
}
