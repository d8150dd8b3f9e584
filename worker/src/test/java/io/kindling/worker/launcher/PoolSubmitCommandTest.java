package io.kindling.worker.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.common.pools.PoolsFile;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.Runs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** spark-submit's argv for each cluster manager and deploy mode, as a pool configures them. */
class PoolSubmitCommandTest {
    private static final SparkSubmitConfig WORKER = new SparkSubmitConfig(Path.of("/opt/spark"), null, null, "local[*]");
    private static final Map<String, String> ENV = Map.of("PATH", "/usr/bin", "HADOOP_CONF_DIR", "/etc/hadoop",
            "KUBECONFIG", "/k/config", "YARN_HOME", "/opt/yarn");

    @TempDir
    Path dir;
    private Path py;
    private Path jar;

    @BeforeEach
    void files() throws Exception {
        py = Files.writeString(dir.resolve("pi.py"), "print('hi')");
        jar = Files.writeString(dir.resolve("app.jar"), "PK");
    }

    private static SparkSubmitConfig pool(String yaml) {
        return WORKER.withPool(PoolsFile.parse("pools:\n  p: " + yaml + "\n", "test").pools().get("p").backend());
    }

    private RunAssignment jvm(Map<String, String> conf) {
        return Runs.of("job-1", "p", new Application(ApplicationType.JVM, jar.toString(), "org.Main", List.of("7")), conf,
                Map.of());
    }

    private RunAssignment python(Map<String, String> conf) {
        return Runs.of("job-1", "p", new Application(ApplicationType.PYTHON, py.toString(), null, List.of()), conf, Map.of());
    }

    private SparkSubmitCommand.Command build(SparkSubmitConfig config, RunAssignment run, DriverPorts ports)
            throws io.kindling.common.pools.LaunchRefusedException {
        return new SparkSubmitCommand(config, ENV).build(run, dir.resolve("eventlog"), null, ports);
    }

    @Test
    void yarn_cluster_mode_uploads_from_here_and_keeps_the_local_event_log_out() throws Exception {
        SparkSubmitConfig yarn = pool("{master: yarn, deployMode: cluster, sparkHome: /opt/spark-4, conf: {spark.yarn.queue: etl}}");

        SparkSubmitCommand.Command cmd = build(yarn, jvm(Map.of("spark.executor.memory", "4g")), null);

        assertThat(cmd.argv()).containsExactly("/opt/spark-4/bin/spark-submit", "--master", "yarn", "--deploy-mode", "cluster",
                "--name", "job-1-a1", "--conf", "spark.kindling.jobId=job-1", "--conf", "spark.kindling.attemptId=job-1-a1",
                "--conf", "spark.yarn.tags=kindling-job-job-1,kindling-attempt-job-1-a1",
                "--conf", "spark.yarn.queue=etl", "--conf", "spark.executor.memory=4g", "--class", "org.Main",
                jar.toString(), "7");
        assertThat(cmd.environment()).containsEntry("HADOOP_CONF_DIR", "/etc/hadoop").containsEntry("SPARK_HOME", "/opt/spark-4")
                .doesNotContainKey("KUBECONFIG");
    }

    @Test
    void yarn_client_mode_logs_events_here() throws Exception {
        SparkSubmitCommand.Command cmd = build(pool("{master: yarn, deployMode: client}"), python(Map.of()), null);

        assertThat(cmd.argv()).containsSubsequence("--master", "yarn", "--deploy-mode", "client")
                .anyMatch(a -> a.startsWith("spark.eventLog.dir=file:"));
    }

    @Test
    void kubernetes_cluster_mode() throws Exception {
        SparkSubmitConfig k8s = pool("{master: 'k8s://https://api.example:6443', deployMode: cluster,"
                + " conf: {spark.kubernetes.namespace: jobs, spark.kubernetes.container.image: 'acr/spark:4'}}");

        SparkSubmitCommand.Command cmd = build(k8s, jvm(Map.of()), null);

        assertThat(cmd.argv()).containsSubsequence("--master", "k8s://https://api.example:6443", "--deploy-mode", "cluster")
                .containsSubsequence("--conf", "spark.kubernetes.container.image=acr/spark:4", "--conf", "spark.kubernetes.namespace=jobs");
        assertThat(cmd.environment()).containsEntry("KUBECONFIG", "/k/config").doesNotContainKey("HADOOP_CONF_DIR");
    }

    @Test
    void pool_conf_comes_before_the_jobs_so_the_job_may_override_it() throws Exception {
        SparkSubmitCommand.Command cmd = build(pool("{conf: {spark.executor.memory: 1g}}"),
                python(Map.of("spark.executor.memory", "2g")), null);

        assertThat(cmd.argv()).containsSubsequence("spark.executor.memory=1g", "spark.executor.memory=2g");
    }

    @Test
    void a_denied_or_not_allowed_job_conf_key_refuses_the_launch_naming_it() {
        SparkSubmitConfig denying = pool("{confDeny: ['spark.driver.extra*', spark.jars.ivy]}");
        assertThatThrownBy(() -> build(denying, python(Map.of("spark.driver.extraJavaOptions", "-Dx=$(id)",
                "spark.executor.memory", "1g")), null))
                .isInstanceOf(io.kindling.common.pools.LaunchRefusedException.class)
                .hasMessage("this pool does not let jobs set conf spark.driver.extraJavaOptions");

        SparkSubmitConfig allowing = pool("{confAllow: ['spark.executor.*'], confDeny: [spark.executor.extraJavaOptions]}");
        assertThatThrownBy(() -> build(allowing, python(Map.of("spark.sql.shuffle.partitions", "4")), null))
                .hasMessageContaining("spark.sql.shuffle.partitions");
        assertThatThrownBy(() -> build(allowing, python(Map.of("spark.executor.extraJavaOptions", "-X")), null))
                .hasMessageContaining("spark.executor.extraJavaOptions");
    }

    @Test
    void a_client_mode_driver_gets_its_ports_and_host() throws Exception {
        SparkSubmitConfig standalone = pool("{master: 'spark://10.0.0.1:7077', deployMode: client, driverPortRange: 40000-40999,"
                + " driverHost: 10.0.0.9}");
        DriverPorts ports = new DriverPorts("10.0.0.9", 40003, 40004, 40005);

        SparkSubmitCommand.Command cmd = build(standalone, python(Map.of("spark.driver.port", "1", "spark.ui.port", "2")), ports);

        assertThat(cmd.argv()).containsSubsequence("--master", "spark://10.0.0.1:7077", "--deploy-mode", "client")
                .containsSubsequence("spark.driver.host=10.0.0.9", "--conf", "spark.driver.bindAddress=0.0.0.0",
                        "--conf", "spark.driver.port=40003", "--conf", "spark.driver.blockManager.port=40004",
                        "--conf", "spark.ui.port=40005")
                .doesNotContain("spark.driver.port=1", "spark.ui.port=2");
        assertThat(ports.uiUrl()).isEqualTo("http://10.0.0.9:40005");
        assertThat(standalone.driverPorts()).isEqualTo(new SparkSubmitConfig.PortRange(40000, 40999));
    }

    @Test
    void a_python_app_is_refused_by_a_standalone_cluster_mode_pool() {
        SparkSubmitConfig cluster = pool("{master: 'spark://10.0.0.1:6066', deployMode: cluster}");

        assertThatThrownBy(() -> build(cluster, python(Map.of()), null)).isInstanceOf(io.kindling.common.pools.LaunchRefusedException.class)
                .hasMessageContaining("use a client-mode pool");
    }

    @Test
    void ports_are_allocated_distinct_from_those_held() {
        SparkSubmitConfig.PortRange range = new SparkSubmitConfig.PortRange(47100, 47120);

        DriverPorts first = DriverPorts.allocate(range, "h", java.util.Set.of()).orElseThrow();
        DriverPorts second = DriverPorts.allocate(range, "h", java.util.Set.copyOf(first.all())).orElseThrow();

        assertThat(second.all()).doesNotContainAnyElementsOf(first.all()).allMatch(p -> p >= 47100 && p <= 47120);
        assertThat(DriverPorts.allocate(new SparkSubmitConfig.PortRange(47100, 47102), "h",
                java.util.Set.copyOf(first.all()))).isEmpty();
    }

    @Test
    void cluster_ids_are_found_in_what_spark_submit_prints() {
        assertThat(ClusterSubmission.find(SparkSubmitConfig.ClusterManager.YARN,
                "25/11/21 06:00:01 INFO Client: Submitted application application_1700000000000_0001\n"))
                .contains(new ClusterSubmission.Ids("application_1700000000000_0001", "application_1700000000000_0001"));
        assertThat(ClusterSubmission.find(SparkSubmitConfig.ClusterManager.KUBERNETES,
                "25/11/21 06:00:01 INFO LoggingPodStatusWatcherImpl: Deployed Spark application job-1-a1 with application ID"
                        + " spark-3f2a9c and submission ID jobs:job-1-a1-8d0e2f93b1c4-driver into Kubernetes\n"))
                .contains(new ClusterSubmission.Ids("spark-3f2a9c", "jobs:job-1-a1-8d0e2f93b1c4-driver"));
        assertThat(ClusterSubmission.find(SparkSubmitConfig.ClusterManager.STANDALONE,
                "INFO RestSubmissionClient: Submission successfully created as driver-20251121060001-0003. Polling"))
                .contains(new ClusterSubmission.Ids("driver-20251121060001-0003", "driver-20251121060001-0003"));
        assertThat(ClusterSubmission.find(SparkSubmitConfig.ClusterManager.YARN, "nothing yet")).isEmpty();
    }

    @Test
    void kill_commands_are_argv_lists() {
        assertThat(ClusterSubmission.killCommand(pool("{master: yarn, deployMode: cluster}"),
                new ClusterSubmission.Ids("application_1_2", "application_1_2"), ENV))
                .containsExactly("/opt/yarn/bin/yarn", "application", "-kill", "application_1_2");
        assertThat(ClusterSubmission.killCommand(pool("{master: yarn}"), new ClusterSubmission.Ids("a", "application_1_2"),
                Map.of("HADOOP_HOME", "/opt/hadoop"))).first().isEqualTo("/opt/hadoop/bin/yarn");
        assertThat(ClusterSubmission.killCommand(pool("{master: 'k8s://https://api:6443', deployMode: cluster}"),
                new ClusterSubmission.Ids("spark-1", "jobs:p-driver"), ENV))
                .containsExactly("/opt/spark/bin/spark-submit", "--master", "k8s://https://api:6443", "--kill", "jobs:p-driver");
        assertThat(ClusterSubmission.needsClusterKill(pool("{master: 'k8s://https://api:6443', deployMode: client}"))).isFalse();
        assertThat(ClusterSubmission.needsClusterKill(pool("{master: yarn, deployMode: client}"))).isTrue();
        assertThat(ClusterSubmission.needsClusterKill(WORKER)).isFalse();
    }
}
