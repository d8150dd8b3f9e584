package io.kindling.worker.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.common.spool.SpoolAttempt;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.Json;
import io.kindling.worker.shim.AttemptShim;
import io.kindling.worker.shim.ExitRecord;
import io.kindling.worker.shim.ShimExit;
import io.kindling.worker.shim.ShimInfo;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.RunAssignment;
import io.kindling.testsupport.files.DirectoryTrees;
import io.kindling.worker.Runs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher against a stand-in {@code spark-submit} (a small script that records the argv and
 * environment it received and behaves as {@code FAKE_MODE} says) run by a real attempt shim:
 * real processes, no Spark.
 */
@Timeout(30)
class SparkSubmitLauncherTest {
    private static final String FAKE_SPARK_SUBMIT = """
            #!/bin/sh
            # Stand-in for spark-submit: records what it got, writes an event log like Spark does.
            printf '%s\\0' "$@" > argv.bin
            env > env.txt
            dir=""; prev=""
            for a in "$@"; do
              if [ "$prev" = "--conf" ]; then
                case "$a" in spark.eventLog.dir=file://*) dir="${a#spark.eventLog.dir=file://}" ;; esac
              fi
              prev="$a"
            done
            echo "driver says hello"
            case "$FAKE_MODE" in
              succeed)
                : > "$dir/local-1700000000001.inprogress"
                sleep 0.3
                mv "$dir/local-1700000000001.inprogress" "$dir/local-1700000000001"
                exit 0 ;;
              fail)
                echo "Traceback (most recent call last):" >&2
                echo "ValueError: boom" >&2
                echo "26/11/21 05:53:01 INFO SparkContext: Successfully stopped SparkContext" >&2
                exit 3 ;;
              hang)
                : > "$dir/local-1700000000002.inprogress"
                trap '' TERM
                sleep 300 &
                echo $! > child.pid
                wait ;;
            esac
            """;

    @TempDir
    Path tmp;
    private SpoolLayout spool;
    private Path app;
    private SparkSubmitLauncher launcher;

    @BeforeEach
    void setUp() throws Exception {
        Path sparkHome = tmp.resolve("spark");
        Files.createDirectories(sparkHome.resolve("bin"));
        Path script = Files.writeString(sparkHome.resolve("bin/spark-submit"), FAKE_SPARK_SUBMIT);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        spool = new SpoolLayout(tmp.resolve("spool"));
        app = Files.writeString(tmp.resolve("app.py"), "print('never run')");
        launcher = newLauncher(Duration.ZERO);
    }

    private SparkSubmitLauncher newLauncher(Duration fenceAfter) {
        return new SparkSubmitLauncher(new SparkSubmitConfig(tmp.resolve("spark"), null, "/venv/bin/python", "local[2]"),
                spool, Map.of("PATH", "/usr/bin:/bin", "SPARK_CONF_DIR", "/etc/spark", "SECRET", "x"),
                Duration.ofMillis(500), fenceAfter);
    }

    private ShimInfo shimInfo(RunAssignment run) throws Exception {
        return Json.decode(Files.readAllBytes(spool.attemptDir(run.attemptId()).resolve(AttemptShim.SHIM_FILE)),
                ShimInfo.class);
    }

    @AfterEach
    void tearDown() throws Exception {
        launcher.close();
        // no shim outlives its test
        if (!Files.isDirectory(spool.root())) {
            return;
        }
        try (var dirs = Files.list(spool.root())) {
            for (Path dir : dirs.filter(d -> !d.getFileName().toString().startsWith(".")).toList()) {
                Path info = dir.resolve(AttemptShim.SHIM_FILE);
                if (Files.exists(info)) {
                    ShimInfo shim = Json.decode(Files.readAllBytes(info), ShimInfo.class);
                    shim.liveShim().ifPresent(ProcessHandle::destroyForcibly);
                    shim.liveChild().ifPresent(child -> {
                        child.descendants().forEach(ProcessHandle::destroyForcibly);
                        child.destroyForcibly();
                    });
                }
            }
        }
    }

    @Test
    void runsTheDriverWithOutputInTheSpoolAndFindsItsAppId() throws Exception {
        RunAssignment run = run("job-1", Map.of("FAKE_MODE", "succeed"));

        LaunchedApp started = started(launcher.launch(run));

        assertThat(started.awaitAppId()).contains("local-1700000000001");
        assertThat(started.awaitExit()).isEqualTo(new AppExit(0, false, null));
        assertThat(Files.readString(spool.stream(run.attemptId(), "stdout"))).isEqualTo("driver says hello\n");
        assertThat(spool.eventLogDir(run.attemptId()).resolve("local-1700000000001")).exists();
        String env = Files.readString(workDir(run).resolve("env.txt"));
        assertThat(env).contains("SPARK_HOME=" + tmp.resolve("spark"), "SPARK_LOCAL_IP=127.0.0.1",
                "PYSPARK_PYTHON=/venv/bin/python", "FAKE_MODE=succeed").doesNotContain("SPARK_CONF_DIR", "SECRET=");
    }

    @Test
    void noProcessOfTheAttemptGetsTheWorkersCredentials() throws Exception {
        Map<String, String> workerEnv = new java.util.HashMap<>(Map.of("PATH", "/usr/bin:/bin", "HOME", tmp.toString(),
                "KINDLING_AZURE_CONNECTION_STRING", "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=SEEDED-BLOB-KEY",
                "KINDLING_KAFKA_SASL_PASSWORD", "SEEDED-KAFKA-PASSWORD",
                "KINDLING_KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"worker\" password=\"SEEDED-JAAS-PASSWORD\";",
                "AZURE_CLIENT_SECRET", "SEEDED-AZURE-CLIENT-SECRET", "AWS_SECRET_ACCESS_KEY", "SEEDED-AWS-KEY",
                "HADOOP_CONF_DIR", "/etc/hadoop", "KUBECONFIG", "/home/worker/.kube/config"));
        SparkSubmitLauncher seeded = new SparkSubmitLauncher(new SparkSubmitConfig(tmp.resolve("spark"), null,
                "/venv/bin/python", "local[2]"), spool, workerEnv, Duration.ofMillis(500), Duration.ZERO);
        RunAssignment run = run("job-20", Map.of("FAKE_MODE", "hang", "MY_SETTING", "on"));
        try {
            LaunchedApp started = started(seeded.launch(run));
            Path childPid = workDir(run).resolve("child.pid");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(childPid)
                    && !Files.readString(childPid).isBlank());
            ShimInfo shim = shimInfo(run);
            List<String> seededValues = List.of("SEEDED-BLOB-KEY", "SEEDED-KAFKA-PASSWORD", "SEEDED-JAAS-PASSWORD",
                    "SEEDED-AZURE-CLIENT-SECRET", "SEEDED-AWS-KEY", "KINDLING_AZURE", "KINDLING_KAFKA", "/etc/hadoop",
                    ".kube/config");
            String recorded = Files.readString(workDir(run).resolve("env.txt"));
            assertThat(recorded).contains("MY_SETTING=on", "SPARK_HOME=");
            for (long pid : List.of(shim.shimPid(), shim.childPid(), Long.parseLong(Files.readString(childPid).strip()))) {
                String environ = Files.readString(Path.of("/proc", Long.toString(pid), "environ"), StandardCharsets.UTF_8);
                assertThat(environ).as("environment of pid %d", pid).isNotEmpty();
                for (String value : seededValues) {
                    assertThat(environ).as("environment of pid %d", pid).doesNotContain(value);
                }
            }
            for (String value : seededValues) {
                assertThat(recorded).doesNotContain(value);
            }
            assertThat(seeded.cancel(run.attemptId())).isTrue();
            assertThat(started.awaitExit().cancelled()).isTrue();
        } finally {
            seeded.close();
        }
    }

    @Test
    void aJobsOwnEnvironmentCannotOverrideTheWorkersSettings() throws Exception {
        for (String name : List.of("SPARK_HOME", "JAVA_TOOL_OPTIONS", "PYTHONSTARTUP", "LD_PRELOAD", "HADOOP_USER_NAME")) {
            Launch launch = launcher.launch(run("job-21-" + name.toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                    Map.of(name, "/tmp/evil")));
            assertThat(launch).as(name).isInstanceOfSatisfying(Launch.Refused.class,
                    r -> {
                        assertThat(r.message()).contains("environment entry " + name);
                        assertThat(r.reason()).isEqualTo(FailureReason.REJECTED);
                    });
        }
    }

    @Test
    void theExitIsKeptOutsideTheAttemptDirectoryForWhenTheLogShipperRemovesItFirst() throws Exception {
        RunAssignment run = run("job-13", Map.of("FAKE_MODE", "succeed"));
        Files.createDirectories(spool.attemptDir(run.attemptId()));
        Files.write(spool.attemptFile(run.attemptId()), Json.encode(new SpoolAttempt("job-13", 1, run.attemptId(),
                "default", "default", "w-1", java.time.Instant.now())));
        LaunchedApp started = started(launcher.launch(run));
        Path record = ExitRecord.file(spool.root(), run.attemptId());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(record));
        assertThat(spool.exitFile(run.attemptId())).as("exit.json is the worker's to write").doesNotExist();

        // as the log-shipper does once the attempt is shipped
        assertThat(spool.attemptDir(run.attemptId())).isDirectory();
        DirectoryTrees.delete(spool.attemptDir(run.attemptId()));

        assertThat(started.awaitExit()).isEqualTo(new AppExit(0, false, null));
        ExitRecord kept = Json.decode(Files.readAllBytes(record), ExitRecord.class);
        assertThat(kept.attempt().workerId()).isEqualTo("w-1");
        assertThat(kept.exit().exitCode()).isZero();
    }

    @Test
    void hostileInputReachesTheDriverIntactAndNoShellRunsIt() throws Exception {
        Path marker = tmp.resolve("pwned");
        List<String> hostile = List.of("; touch " + marker, "$(touch " + marker + ")", "`touch " + marker + "`",
                "line1\nline2", "' \" \\ | & > " + marker, "", "--master", "yarn");
        RunAssignment run = Runs.of("job-2", "default", new Application(ApplicationType.PYTHON, app.toString(), null,
                hostile), Map.of("spark.driver.extraJavaOptions", "-Dx=$(touch " + marker + ")"),
                Map.of("FAKE_MODE", "succeed", "EVIL", "$(touch " + marker + ")"));
        SparkSubmitCommand.Command expected = new SparkSubmitCommand(
                new SparkSubmitConfig(tmp.resolve("spark"), null, "/venv/bin/python", "local[2]"), Map.of())
                .build(run, spool.eventLogDir(run.attemptId()));

        LaunchedApp started = started(launcher.launch(run));
        assertThat(started.awaitExit().exitCode()).isZero();

        byte[] received = Files.readAllBytes(workDir(run).resolve("argv.bin"));
        List<String> argv = Arrays.asList(new String(received, StandardCharsets.UTF_8).split("\0", -1));
        assertThat(argv.subList(0, argv.size() - 1)).isEqualTo(expected.argv().subList(1, expected.argv().size()));
        assertThat(argv.subList(argv.size() - 1 - hostile.size(), argv.size() - 1)).isEqualTo(hostile);
        assertThat(Files.readString(workDir(run).resolve("env.txt"))).contains("EVIL=$(touch " + marker + ")");
        assertThat(marker).doesNotExist();
    }

    @Test
    void aFailedDriverGivesItsExitCodeAndReason() throws Exception {
        RunAssignment run = run("job-3", Map.of("FAKE_MODE", "fail"));

        LaunchedApp started = started(launcher.launch(run));

        assertThat(started.awaitAppId()).isEmpty();
        assertThat(started.awaitExit()).isEqualTo(new AppExit(3, false, "ValueError: boom"));
        assertThat(Files.readString(spool.stream(run.attemptId(), "stderr"))).contains("ValueError: boom");
    }

    @Test
    void cancelEndsTheWholeProcessTreeEvenWhenItIgnoresSigterm() throws Exception {
        RunAssignment run = run("job-4", Map.of("FAKE_MODE", "hang"));
        LaunchedApp started = started(launcher.launch(run));
        assertThat(started.awaitAppId()).contains("local-1700000000002");
        Path childPid = workDir(run).resolve("child.pid");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(childPid)
                && !Files.readString(childPid).isBlank());
        long child = Long.parseLong(Files.readString(childPid).strip());

        assertThat(launcher.cancel(run.attemptId())).isTrue();

        AppExit exit = started.awaitExit();
        assertThat(exit.cancelled()).isTrue();
        assertThat(exit.exitCode()).isEqualTo(137);
        assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive)).isIn(Optional.empty(), Optional.of(false));
        assertThat(launcher.cancel(run.attemptId())).isFalse();
    }

    @Test
    void closeLeavesTheShimsRunningAndANewLauncherAdoptsThemInsteadOfLaunchingAgain() throws Exception {
        RunAssignment run = run("job-5", Map.of("FAKE_MODE", "hang"));
        LaunchedApp first = started(launcher.launch(run));
        first.awaitAppId();
        ShimInfo shim = shimInfo(run);

        launcher.close();

        assertThat(shim.liveShim()).isPresent();
        assertThat(shim.liveChild()).isPresent();
        assertThat(launcher.launch(run("job-7", Map.of("FAKE_MODE", "succeed"))))
                .isEqualTo(new Launch.Refused("the worker is shutting down"));
        launcher = newLauncher(Duration.ZERO);
        Adoption adoption = launcher.adopt(run);
        assertThat(adoption).isInstanceOf(Adoption.Running.class);
        assertThat(launcher.adopt(run("job-never", Map.of()))).isInstanceOf(Adoption.NotLaunched.class);

        assertThat(launcher.cancel(run.attemptId())).isTrue();
        AppExit exit = ((Adoption.Running) adoption).app().awaitExit();
        assertThat(exit.cancelled()).isTrue();
        assertThat(exit.exitCode()).isEqualTo(137);
        assertThat(shim.liveChild()).isEmpty();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> shim.liveShim().isEmpty());
    }

    @Test
    void aShimKilledOutrightLeavesAVanishedAttemptWhoseDriverIsStoppedOnAdoption() throws Exception {
        RunAssignment run = run("job-11", Map.of("FAKE_MODE", "hang"));
        started(launcher.launch(run)).awaitAppId();
        ShimInfo shim = shimInfo(run);
        launcher.close();
        ProcessHandle.of(shim.shimPid()).orElseThrow().destroyForcibly();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> shim.liveShim().isEmpty());

        launcher = newLauncher(Duration.ZERO);
        Adoption adoption = launcher.adopt(run);

        assertThat(adoption).isInstanceOf(Adoption.Vanished.class);
        assertThat(((Adoption.Vanished) adoption).message()).contains("pid " + shim.shimPid());
        assertThat(shim.liveChild()).isEmpty();
    }

    @Test
    void aShimWhoseLeaseIsNotRenewedStopsTheDriverAndRecordsItLost() throws Exception {
        launcher.close();
        launcher = newLauncher(Duration.ofMillis(1500));
        RunAssignment run = run("job-12", Map.of("FAKE_MODE", "hang"));
        LaunchedApp app = started(launcher.launch(run));

        AppExit exit = app.awaitExit();

        assertThat(exit.reason()).isEqualTo(FailureReason.LOST);
        assertThat(exit.message()).contains("lease");
        assertThat(shimInfo(run).liveChild()).isEmpty();
        ShimExit recorded = Json.decode(Files.readAllBytes(ExitRecord.file(spool.root(), run.attemptId())),
                ExitRecord.class).exit();
        assertThat(recorded.terminated()).isTrue();
        assertThat(recorded.exitCode()).isEqualTo(137);
    }

    @Test
    void refusesWhenSparkSubmitOrTheApplicationIsMissing() throws Exception {
        SparkSubmitLauncher noSpark = new SparkSubmitLauncher(
                new SparkSubmitConfig(tmp.resolve("nowhere"), null, null, "local[*]"), spool, Map.of(), Duration.ZERO);
        Launch launch = noSpark.launch(run("job-8", Map.of()));
        assertThat(launch).isInstanceOf(Launch.Refused.class);
        assertThat(((Launch.Refused) launch).message()).contains(tmp.resolve("nowhere/bin/spark-submit").toString(),
                "KINDLING_SPARK_HOME");

        Launch missing = launcher.launch(Runs.python("job-9", "default", tmp.resolve("gone.py").toString()));
        assertThat(missing).isEqualTo(new Launch.Refused("application file " + tmp.resolve("gone.py")
                + " does not exist on worker host"));
        Launch relative = launcher.launch(Runs.python("job-10", "default", "examples/pi.py"));
        assertThat(((Launch.Refused) relative).message()).contains("absolute path or a file:// URI");
    }

    private RunAssignment run(String jobId, Map<String, String> env) {
        return Runs.of(jobId, "default", new Application(ApplicationType.PYTHON, app.toString(), null, List.of()),
                Map.of(), env);
    }

    private Path workDir(RunAssignment run) {
        return spool.attemptDir(run.attemptId()).resolve(SparkSubmitLauncher.WORK_DIR);
    }

    private static LaunchedApp started(Launch launch) {
        assertThat(launch).isInstanceOf(Launch.Started.class);
        return ((Launch.Started) launch).app();
    }
}
