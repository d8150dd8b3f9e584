package io.kindling.worker;

import static io.kindling.worker.WorkerFixture.NOW;
import static io.kindling.worker.WorkerFixture.POOL;
import static io.kindling.worker.WorkerFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.common.spool.SpoolAttempt;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.WorkerControl;
import io.kindling.worker.shim.ExitRecord;
import io.kindling.worker.shim.ShimExit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A restarted worker and the spool its previous run left: adopt, re-report, never launch twice. */
class WorkerRecoveryTest {
    @TempDir
    Path spoolDir;
    private WorkerFixture fx;
    private final RecordingReports reports = new RecordingReports();
    private final FakeLauncher launcher = FakeLauncher.manual();

    @AfterEach
    void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void adoptsItsAttemptsStillRunningHeartbeatsThemAndReportsTheirEnd() throws Exception {
        fx = new WorkerFixture(spoolDir, reports, launcher).leases(Duration.ofSeconds(1), Duration.ofSeconds(30));
        RunAssignment run = leftInEarlierSpool("job-r1", "worker-1");
        FakeLauncher.FakeApp app = launcher.adoptable(run);
        app.appId("local-9");
        fx.start();

        await().atMost(WAIT).until(() -> fx.worker.held().contains(run.attemptId()));
        await().atMost(WAIT).until(() -> reports.heartbeats("job-r1").size() >= 2);
        assertThat(launcher.adopted(run.attemptId())).isTrue();

        fx.send(run);
        await().atMost(WAIT).until(() -> fx.committed() != null && fx.committed().offset() == 1);
        assertThat(launcher.launchedCount()).as("a redelivered assignment is not launched again").isZero();

        app.exit(0, null);
        await().atMost(WAIT).until(() -> reports.stateNames("job-r1").contains(JobState.SUCCEEDED));
        assertThat(reports.stateNames("job-r1")).containsExactly(JobState.RUNNING, JobState.SUCCEEDED);
        assertThat(reports.last("job-r1").sparkAppId()).isEqualTo("local-9");
    }

    @Test
    void reportsLostWhenTheAttemptWasLaunchedButIsGoneAndReReportsEndsNotYetReported() throws Exception {
        fx = new WorkerFixture(spoolDir, reports, launcher);
        RunAssignment gone = leftInSpool("job-r2", "worker-1");
        launcher.vanished(gone.attemptId(), "its shim is gone");
        RunAssignment ended = leftInSpool("job-r3", "worker-1");
        Files.write(fx.layout.exitFile(ended.attemptId()), Json.encode(new ShimExit(143, NOW, null, "stopped", "local-3",
                true)));
        Files.writeString(fx.layout.attemptDir(ended.attemptId()).resolve("stop.json"),
                "{\"reason\":\"CANCELLED\",\"message\":\"cancelled by bob\"}");
        RunAssignment reported = leftInSpool("job-r4", "worker-1");
        Files.write(fx.layout.exitFile(reported.attemptId()), Json.encode(new ShimExit(0, NOW, null, null, null, false)));
        Files.writeString(fx.layout.attemptDir(reported.attemptId()).resolve("reported"), "");
        RunAssignment foreign = leftInSpool("job-r5", "another-worker");
        launcher.adoptable(foreign);

        fx.start();

        await().atMost(WAIT).until(() -> reports.stateNames("job-r2").contains(JobState.FAILED)
                && reports.stateNames("job-r3").contains(JobState.CANCELLED));
        assertThat(reports.last("job-r2").reason()).isEqualTo(FailureReason.LOST);
        assertThat(reports.last("job-r2").message()).isEqualTo("its shim is gone");
        assertThat(fx.layout.exitFile(gone.attemptId())).exists();
        assertThat(reports.last("job-r3").message()).isEqualTo("cancelled by bob");
        assertThat(reports.last("job-r3").exitCode()).isEqualTo(143);
        assertThat(reports.stateNames("job-r4")).isEmpty();
        assertThat(reports.stateNames("job-r5")).isEmpty();
        assertThat(launcher.adopted(foreign.attemptId())).isFalse();
    }

    @Test
    void reportsTheEndOfAnAttemptWhoseDirectoryTheShipperRemovedBeforeItsEndWasReported() throws Exception {
        fx = new WorkerFixture(spoolDir, reports, launcher);
        SpoolAttempt mine = new SpoolAttempt("job-r9", 1, "job-r9-a1", "default", POOL, "worker-1", NOW);
        SpoolAttempt theirs = new SpoolAttempt("job-r10", 1, "job-r10-a1", "default", POOL, "another-worker", NOW);
        Path exits = Files.createDirectories(spoolDir.resolve(ExitRecord.DIR));
        Files.write(exits.resolve("job-r9-a1.json"), Json.encode(new ExitRecord(mine,
                new ShimExit(0, NOW, null, null, "local-9", false))));
        Files.write(exits.resolve("job-r10-a1.json"), Json.encode(new ExitRecord(theirs,
                new ShimExit(0, NOW, null, null, "local-10", false))));

        fx.start();

        await().atMost(WAIT).until(() -> reports.stateNames("job-r9").contains(JobState.SUCCEEDED));
        assertThat(reports.last("job-r9").sparkAppId()).isEqualTo("local-9");
        await().atMost(WAIT).until(() -> !Files.exists(exits.resolve("job-r9-a1.json")));
        assertThat(reports.stateNames("job-r10")).isEmpty();
        assertThat(fx.layout.attemptDir("job-r9-a1")).doesNotExist();

        // the worker died before committing the assignment's offset: it comes again, after the end was
        // reported and the directory removed; it is not launched again, its end is reported again
        fx.send(Runs.python("job-r9", POOL, "/apps/pi.py"));
        await().atMost(WAIT).until(() -> fx.committed() != null && fx.committed().offset() == 1);
        assertThat(launcher.launchedCount()).as("an ended attempt whose assignment comes again").isZero();
        await().atMost(WAIT).until(() -> reports.stateNames("job-r9").size() == 2);
        assertThat(reports.stateNames("job-r9")).containsExactly(JobState.SUCCEEDED, JobState.SUCCEEDED);
    }

    @Test
    void anAttemptLeftBeforeItWasLaunchedIsLaunchedWhenItsAssignmentComesAgain() throws Exception {
        fx = new WorkerFixture(spoolDir, reports, launcher);
        RunAssignment run = leftInSpool("job-r6", "worker-1");
        fx.start();
        assertThat(reports.all()).isEmpty();

        fx.send(run);

        FakeLauncher.FakeApp app = launcher.next(WAIT);
        assertThat(app.run().attemptId()).isEqualTo(run.attemptId());
        app.exit(0, null);
        await().atMost(WAIT).until(() -> reports.stateNames("job-r6").contains(JobState.SUCCEEDED));
    }

    @Test
    void anAdoptedAttemptIsStoppedWhenACancelCameWhileNoWorkerRanOrItsStopWasUnderWay() throws Exception {
        fx = new WorkerFixture(spoolDir, reports, launcher);
        RunAssignment cancelledWhileDown = leftInSpool("job-r7", "worker-1");
        launcher.adoptable(cancelledWhileDown);
        fx.control(new WorkerControl(WorkerControl.Type.CANCEL, "job-r7", 1, cancelledWhileDown.attemptId(), POOL,
                FailureReason.CANCELLED, "cancelled while the worker was down", NOW));
        RunAssignment stopping = leftInSpool("job-r8", "worker-1");
        launcher.adoptable(stopping);
        Files.writeString(fx.layout.attemptDir(stopping.attemptId()).resolve("stop.json"),
                "{\"reason\":\"TIMED_OUT\",\"message\":\"limit 60 s\"}");

        fx.start();

        await().atMost(WAIT).until(() -> reports.stateNames("job-r7").contains(JobState.CANCELLED)
                && reports.stateNames("job-r8").contains(JobState.FAILED));
        assertThat(reports.last("job-r7").message()).isEqualTo("cancelled while the worker was down");
        assertThat(reports.last("job-r8").reason()).isEqualTo(FailureReason.TIMED_OUT);
        assertThat(launcher.cancelled(cancelledWhileDown.attemptId())).isTrue();
        assertThat(launcher.cancelled(stopping.attemptId())).isTrue();
    }

    /** attempt.json of an attempt (with its assignment), as a worker writes it before launching it. */
    private RunAssignment leftInSpool(String jobId, String workerId) throws Exception {
        RunAssignment run = Runs.python(jobId, POOL, "/apps/pi.py");
        new AttemptSpool(fx.layout).writeAttempt(SpoolAttempt.of(run, workerId, NOW));
        return run;
    }

    /** attempt.json and run.json of an attempt, as a worker of an earlier version wrote them. */
    private RunAssignment leftInEarlierSpool(String jobId, String workerId) throws Exception {
        RunAssignment run = Runs.python(jobId, POOL, "/apps/pi.py");
        Files.createDirectories(fx.layout.attemptDir(run.attemptId()));
        Files.write(fx.layout.attemptDir(run.attemptId()).resolve("run.json"), Json.encode(run));
        Files.write(fx.layout.attemptFile(run.attemptId()), Json.encode(new SpoolAttempt(jobId, 1, run.attemptId(),
                "default", POOL, workerId, NOW)));
        return run;
    }
}
