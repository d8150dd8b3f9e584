package io.kindling.worker.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.common.pools.PoolsFile;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.Runs;
import io.kindling.worker.shim.AttemptShim;
import io.kindling.worker.shim.ShimInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pools on YARN, Kubernetes (cluster mode) and with a driver port range, against stand-in
 * {@code spark-submit} and {@code yarn} scripts that print what the real ones print and record
 * their argv: real attempt shims, no cluster.
 */
@Timeout(60)
class ClusterLaunchTest {
    /** Submits: records its argv, prints the cluster manager's line and waits; with --kill, records that instead. */
    private static final String FAKE_SPARK_SUBMIT = """
            #!/bin/sh
            here="$(cd "$(dirname "$0")" && pwd)"
            for a in "$@"; do
              if [ "$a" = "--kill" ]; then printf '%s\\n' "$@" > "$here/kill-argv.txt"; exit 0; fi
            done
            printf '%s\\n' "$@" > "$here/submit-argv-$$.txt"
            echo "25/11/21 06:00:00 INFO Client: Requesting a new application from cluster with 2 NodeManagers" >&2
            case "$FAKE_MODE" in
              yarn) echo "25/11/21 06:00:01 INFO Client: Submitted application application_1700000000000_0001" >&2 ;;
              k8s) echo "25/11/21 06:00:01 INFO LoggingPodStatusWatcherImpl: Deployed Spark application job-2-a1 with application ID spark-5b1f0e and submission ID jobs:job-2-a1-1b2c3d-driver into Kubernetes" >&2 ;;
            esac
            sleep 300 &
            wait
            """;
    private static final String FAKE_YARN = """
            #!/bin/sh
            here="$(cd "$(dirname "$0")" && pwd)"
            printf '%s\\n' "$@" > "$here/yarn-argv.txt"
            echo "Killing application application_1700000000000_0001"
            """;

    @TempDir
    Path tmp;
    private SpoolLayout spool;
    private Path jar;
    private SparkSubmitLauncher launcher;

    @BeforeEach
    void setUp() throws Exception {
        executable(tmp.resolve("spark/bin/spark-submit"), FAKE_SPARK_SUBMIT);
        executable(tmp.resolve("hadoop/bin/yarn"), FAKE_YARN);
        spool = new SpoolLayout(tmp.resolve("spool"));
        jar = Files.writeString(tmp.resolve("app.jar"), "PK");
    }

    private static void executable(Path file, String text) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private SparkSubmitLauncher launcher(String poolYaml) {
        SparkSubmitConfig config = new SparkSubmitConfig(tmp.resolve("spark"), null, null, "local[*]")
                .withPool(PoolsFile.parse("pools:\n  p: " + poolYaml + "\n", "test").pools().get("p").backend());
        launcher = new SparkSubmitLauncher(config, spool, Map.of("PATH", "/usr/bin:/bin",
                "HADOOP_HOME", tmp.resolve("hadoop").toString()), Duration.ofMillis(500), Duration.ZERO);
        return launcher;
    }

    private RunAssignment run(String jobId, String mode) {
        return Runs.of(jobId, "p", new Application(ApplicationType.JVM, jar.toString(), "org.Main", List.of()), Map.of(),
                Map.of("FAKE_MODE", mode));
    }

    private static LaunchedApp started(Launch launch) {
        assertThat(launch).isInstanceOf(Launch.Started.class);
        return ((Launch.Started) launch).app();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (launcher != null) {
            launcher.close();
        }
        if (!Files.isDirectory(spool.root())) {
            return;
        }
        try (var dirs = Files.list(spool.root())) {
            for (Path dir : dirs.filter(d -> Files.exists(d.resolve(AttemptShim.SHIM_FILE))).toList()) {
                ShimInfo shim = Json.decode(Files.readAllBytes(dir.resolve(AttemptShim.SHIM_FILE)), ShimInfo.class);
                shim.liveShim().ifPresent(ProcessHandle::destroyForcibly);
                shim.liveChild().ifPresent(child -> {
                    child.descendants().forEach(ProcessHandle::destroyForcibly);
                    child.destroyForcibly();
                });
            }
        }
    }

    @Test
    void yarn_cluster_mode_reports_the_application_id_and_cancel_kills_it_with_yarn() throws Exception {
        SparkSubmitLauncher launcher = launcher("{master: yarn, deployMode: cluster}");
        RunAssignment run = run("job-1", "yarn");

        LaunchedApp app = started(launcher.launch(run));

        assertThat(app.awaitAppId()).contains("application_1700000000000_0001");
        assertThat(launcher.cancel(run.attemptId())).isTrue();
        assertThat(app.awaitExit().cancelled()).isTrue();
        assertThat(Files.readAllLines(tmp.resolve("hadoop/bin/yarn-argv.txt")))
                .containsExactly("application", "-kill", "application_1700000000000_0001");
    }

    @Test
    void kubernetes_cluster_mode_reports_the_application_id_and_cancel_kills_the_driver_pod() throws Exception {
        SparkSubmitLauncher launcher = launcher("{master: 'k8s://https://127.0.0.1:6443', deployMode: cluster}");
        RunAssignment run = run("job-2", "k8s");

        LaunchedApp app = started(launcher.launch(run));

        assertThat(app.awaitAppId()).contains("spark-5b1f0e");
        assertThat(launcher.cancel(run.attemptId())).isTrue();
        assertThat(Files.readAllLines(tmp.resolve("spark/bin/kill-argv.txt")))
                .containsExactly("--master", "k8s://https://127.0.0.1:6443", "--kill", "jobs:job-2-a1-1b2c3d-driver");
    }

    @Test
    void concurrent_client_mode_drivers_get_distinct_ports_and_their_ui_links() throws Exception {
        SparkSubmitLauncher launcher = launcher("{master: 'spark://127.0.0.1:7077', deployMode: client,"
                + " driverPortRange: 47200-47299, driverHost: 127.0.0.1}");

        LaunchedApp first = started(launcher.launch(run("job-3", "hang")));
        LaunchedApp second = started(launcher.launch(run("job-4", "hang")));

        assertThat(first.sparkUiUrl()).hasValueSatisfying(url -> assertThat(url).startsWith("http://127.0.0.1:472"));
        assertThat(second.sparkUiUrl()).isPresent().isNotEqualTo(first.sparkUiUrl());
        List<String> ports = new java.util.ArrayList<>();
        try (var files = Files.list(tmp.resolve("spark/bin"))) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("submit-argv-")).toList()) {
                Files.readAllLines(f, StandardCharsets.UTF_8).stream().filter(a -> a.matches("spark\\.(driver\\.port|driver\\.blockManager\\.port|ui\\.port)=.*"))
                        .forEach(ports::add);
            }
        }
        assertThat(ports).hasSize(6);
        assertThat(ports.stream().map(a -> a.substring(a.indexOf('=') + 1)).distinct()).hasSize(6);
        launcher.cancel("job-3-a1");
        launcher.cancel("job-4-a1");
    }
}
