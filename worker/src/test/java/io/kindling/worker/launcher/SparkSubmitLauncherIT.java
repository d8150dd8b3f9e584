package io.kindling.worker.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.Runs;
import io.kindling.worker.SparkInstallation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real {@code spark-submit} (the provisioned pyspark, local mode) on {@code examples/pi.py} and
 * {@code examples/fail.py}. Both are launched at once in {@link #launch()}, since each takes a
 * while; the tests then wait for their own.
 */
@Timeout(180)
class SparkSubmitLauncherIT {
    private static final Logger LOG = LoggerFactory.getLogger(SparkSubmitLauncherIT.class);

    @TempDir
    static Path spoolDir;
    private static SpoolLayout spool;
    private static SparkSubmitLauncher launcher;
    private static RunAssignment pi;
    private static RunAssignment fail;
    private static LaunchedApp piApp;
    private static LaunchedApp failApp;
    private static long startNanos;

    @BeforeAll
    static void launch() throws InterruptedException {
        SparkInstallation spark = SparkInstallation.find();
        spool = new SpoolLayout(spoolDir);
        launcher = new SparkSubmitLauncher(spark.config("local[2]"), spool, System.getenv(), Duration.ofSeconds(10));
        pi = Runs.python("it-pi", "default", spark.example("pi.py").toString(), "2");
        fail = Runs.python("it-fail", "default", "file://" + spark.example("fail.py"), "3");
        startNanos = System.nanoTime();
        piApp = started(launcher.launch(pi));
        failApp = started(launcher.launch(fail));
    }

    @AfterAll
    static void stop() {
        if (launcher != null) {
            launcher.close();
        }
    }

    @Test
    void piRunsToSuccessWithItsOutputAppIdAndEventLogInTheSpool() throws Exception {
        AppExit exit = piApp.awaitExit();
        String appId = piApp.awaitAppId().orElse(null);
        LOG.info("pi.py with real spark-submit took {} ms", (System.nanoTime() - startNanos) / 1_000_000);

        assertThat(exit.exitCode()).as("exit code; stderr:\n%s", stderr(pi)).isZero();
        assertThat(exit.message()).isNull();
        assertThat(appId).as("app id; stderr:\n%s", stderr(pi)).startsWith("local-");
        assertThat(Files.readString(spool.stream(pi.attemptId(), "stdout"))).contains("Pi is roughly");
        assertThat(eventLogBytes(pi)).isPositive();
    }

    @Test
    void aFailingAppGivesItsExitCodeAndItsStderr() throws Exception {
        AppExit exit = failApp.awaitExit();
        LOG.info("fail.py with real spark-submit took {} ms", (System.nanoTime() - startNanos) / 1_000_000);

        assertThat(exit.exitCode()).as("exit code; stderr:\n%s", stderr(fail)).isEqualTo(3);
        assertThat(exit.cancelled()).isFalse();
        assertThat(exit.message()).isEqualTo("kindling-fail: failing on purpose with exit code 3");
        // Spark's PythonRunner merges the Python driver's stderr into its stdout; Kindling's
        // sitecustomize hook keeps it on stderr
        String stdout = Files.readString(spool.stream(fail.attemptId(), "stdout"));
        assertThat(stdout).contains("kindling-fail: running on Spark")
                .doesNotContain("kindling-fail: failing on purpose");
        assertThat(stderr(fail)).contains("kindling-fail: failing on purpose with exit code 3",
                "SparkContext: Successfully stopped SparkContext");
        assertThat(failApp.awaitAppId()).hasValueSatisfying(id -> assertThat(id).startsWith("local-"));
    }

    private static long eventLogBytes(RunAssignment run) throws IOException {
        try (Stream<Path> files = Files.walk(spool.eventLogDir(run.attemptId()))) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static String stderr(RunAssignment run) {
        try {
            return Files.readString(spool.stream(run.attemptId(), "stderr"));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static LaunchedApp started(Launch launch) {
        assertThat(launch).isInstanceOf(Launch.Started.class);
        return ((Launch.Started) launch).app();
    }
}
