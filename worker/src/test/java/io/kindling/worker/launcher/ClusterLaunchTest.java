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
            tags=""
            for a in "$@"; do case "$a" in spark.yarn.tags=*) tags="${a#spark.yarn.tags=}" ;; esac; done
            echo "25/11/21 06:00:00 INFO Client: Requesting a new application from cluster with 2 NodeManagers" >&2
            case "$FAKE_MODE" in
              yarn)
                printf 'application_1700000000000_0001\\t%s\\n' "$tags" >> "$FAKE_YARN_APPS"
                echo "25/11/21 06:00:01 INFO Client: Submitted application application_1700000000000_0001" >&2 ;;
              yarn-forged)
                # a client-mode driver printing another application's id before spark-submit's own line
                echo "Submitted application application_1700000000000_0099" >&2
                printf 'application_1700000000000_0002\\t%s\\n' "$tags" >> "$FAKE_YARN_APPS"
                echo "25/11/21 06:00:01 INFO Client: Submitted application application_1700000000000_0002" >&2 ;;
              k8s) echo "25/11/21 06:00:01 INFO LoggingPodStatusWatcherImpl: Deployed Spark application job-2-a1 with application ID spark-5b1f0e and submission ID jobs:job-2-a1-1b2c3d-driver into Kubernetes" >&2 ;;
            esac
            sleep 300 &
            wait
            """;
    /** Lists the applications of $YARN_APPS (id TAB tags) carrying the tag asked for; kills one by removing it. */
    private static final String FAKE_YARN = """
            #!/bin/sh
            here="$(cd "$(dirname "$0")" && pwd)"
            apps="$here/../../yarn-apps.txt"
            touch "$apps"
            if [ "$2" = "-list" ]; then
              for tag in "$@"; do :; done
              printf '%s\\n' "$@" >> "$here/yarn-list-argv.txt"
              echo "Total number of applications (application-types: [], states: [SUBMITTED, ACCEPTED, RUNNING] and tags: [$tag]):1"
              printf '                Application-Id\\t    Application-Name\\t    Application-Type\\n'
              grep -E "[[:space:],]$tag(,|$)" "$apps" | cut -f1 | while read -r id; do printf '%s\\t  app\\t  SPARK\\n' "$id"; done
              exit 0
            fi
            printf '%s\\n' "$@" >> "$here/yarn-argv.txt"
            grep -v "^$3	" "$apps" > "$apps.new"; mv "$apps.new" "$apps"
            echo "Killing application $3"
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
                Map.of("FAKE_MODE", mode, "FAKE_YARN_APPS", tmp.resolve("yarn-apps.txt").toString()));
    }

    private RunAssignment attempt(RunAssignment run, int attempt) {
        return RunAssignment.of(run.jobId(), attempt, run.spec(), run.assignedAt());
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
        assertThat(Files.readAllLines(tmp.resolve("hadoop/bin/yarn-list-argv.txt")))
                .containsExactly("application", "-list", "-appStates", ClusterSubmission.YARN_LIVE_STATES, "-appTags",
                        "kindling-attempt-job-1-a1");
        assertThat(Files.readAllLines(tmp.resolve("hadoop/bin/yarn-argv.txt")))
                .containsExactly("application", "-kill", "application_1700000000000_0001");
        assertThat(submitArgv()).contains("spark.yarn.tags=kindling-job-job-1,kindling-attempt-job-1-a1");
    }

    @Test
    void yarn_cancel_kills_the_application_tagged_with_the_attempt_never_an_id_the_driver_printed() throws Exception {
        Files.writeString(tmp.resolve("yarn-apps.txt"),
                "application_1700000000000_0099\tkindling-job-other,kindling-attempt-other-a1\n");
        SparkSubmitLauncher launcher = launcher("{master: yarn, deployMode: client}");
        RunAssignment run = run("job-7", "yarn-forged");

        LaunchedApp app = started(launcher.launch(run));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> Files.readString(tmp.resolve("yarn-apps.txt")).contains("_0002"));
        assertThat(launcher.cancel(run.attemptId())).isTrue();
        assertThat(app.awaitExit().cancelled()).isTrue();

        assertThat(Files.readAllLines(tmp.resolve("hadoop/bin/yarn-argv.txt")))
                .containsExactly("application", "-kill", "application_1700000000000_0002");
        assertThat(Files.readString(tmp.resolve("yarn-apps.txt"))).contains("application_1700000000000_0099")
                .doesNotContain("_0002");
    }

    @Test
    void yarn_retry_kills_what_an_earlier_attempt_left_running_before_it_submits() throws Exception {
        Files.writeString(tmp.resolve("yarn-apps.txt"),
                "application_1700000000000_0007\tkindling-job-job-5,kindling-attempt-job-5-a1\n"
                        + "application_1700000000000_0008\tkindling-job-job-50,kindling-attempt-job-50-a1\n");
        SparkSubmitLauncher launcher = launcher("{master: yarn, deployMode: cluster}");
        RunAssignment retry = attempt(run("job-5", "yarn"), 2);

        LaunchedApp app = started(launcher.launch(retry));

        assertThat(Files.readAllLines(tmp.resolve("hadoop/bin/yarn-list-argv.txt")))
                .contains("kindling-job-job-5");
        assertThat(Files.readAllLines(tmp.resolve("hadoop/bin/yarn-argv.txt")))
                .containsExactly("application", "-kill", "application_1700000000000_0007");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> Files.readString(tmp.resolve("yarn-apps.txt")).contains("_0001"));
        assertThat(Files.readString(tmp.resolve("yarn-apps.txt"))).doesNotContain("_0007")
                .contains("application_1700000000000_0008").contains("kindling-attempt-job-5-a2");
        assertThat(launcher.cancel(retry.attemptId())).isTrue();
        assertThat(app.awaitExit().cancelled()).isTrue();
    }

    @Test
    void a_standalone_retry_is_refused_when_the_masters_ui_cannot_be_reached_to_look_for_the_earlier_attempts_driver()
            throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        SparkSubmitLauncher launcher = launcher("{master: 'spark://127.0.0.1:6066', deployMode: cluster, masterWebUi: "
                + "'http://127.0.0.1:" + closed + "'}");
        RunAssignment retry = attempt(run("job-9", "standalone"), 2);

        Launch launch = launcher.launch(retry);

        assertThat(launch).isInstanceOfSatisfying(Launch.Refused.class, r -> {
            assertThat(r.reason()).isEqualTo(io.kindling.schemas.FailureReason.SUBMISSION_FAILED);
            assertThat(r.message()).contains("cannot make sure no earlier attempt of job-9 still runs on the cluster")
                    .contains("cannot reach the standalone master's web UI at http://127.0.0.1:" + closed + "/json/");
        });
        assertThat(Files.list(tmp.resolve("spark/bin")).filter(f -> f.getFileName().toString().startsWith("submit-argv")))
                .as("nothing submitted").isEmpty();
    }

    @Test
    void kubernetes_retry_kills_the_earlier_attempts_driver_pod_before_it_submits() throws Exception {
        SparkSubmitLauncher launcher = launcher("{master: 'k8s://https://127.0.0.1:6443', deployMode: cluster,"
                + " conf: {spark.kubernetes.namespace: jobs}}");
        RunAssignment retry = attempt(run("job-6", "k8s"), 2);

        started(launcher.launch(retry));

        assertThat(Files.readAllLines(tmp.resolve("spark/bin/kill-argv.txt")))
                .containsExactly("--master", "k8s://https://127.0.0.1:6443", "--kill",
                        "jobs:" + io.kindling.worker.k8s.DriverPodNames.of("job-6-a1").driverPod());
        // launch returns once spark-submit runs: the stand-in may not have recorded its argv yet
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(submitArgv()).contains("spark.kubernetes.driver.pod.name="
                        + io.kindling.worker.k8s.DriverPodNames.of("job-6-a2").driverPod()));
        launcher.cancel(retry.attemptId());
    }

    private List<String> submitArgv() throws Exception {
        List<String> all = new java.util.ArrayList<>();
        try (var files = Files.list(tmp.resolve("spark/bin"))) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("submit-argv-")).toList()) {
                all.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
            }
        }
        return all;
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
        // launch returns once spark-submit runs: the stand-ins may not have recorded their argv yet
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
            List<String> ports = submitArgv().stream()
                    .filter(a -> a.matches("spark\\.(driver\\.port|driver\\.blockManager\\.port|ui\\.port)=.*")).toList();
            assertThat(ports).hasSize(6);
            assertThat(ports.stream().map(a -> a.substring(a.indexOf('=') + 1)).distinct()).hasSize(6);
        });
        launcher.cancel("job-3-a1");
        launcher.cancel("job-4-a1");
    }
}
