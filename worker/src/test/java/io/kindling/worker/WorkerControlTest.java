package io.kindling.worker;

import static io.kindling.worker.WorkerFixture.NOW;
import static io.kindling.worker.WorkerFixture.POOL;
import static io.kindling.worker.WorkerFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.schemas.AttemptReport;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.WorkerControl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cancel controls, run timeouts, heartbeats and self-fencing, with a fake launcher and a clock the test moves. */
class WorkerControlTest {
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
    void aCancelControlStopsTheAttemptItHoldsAndItEndsCancelled() throws Exception {
        fx = new WorkerFixture(spoolDir, reports, launcher).start();
        RunAssignment run = runningAttempt("job-c1", null);

        fx.control(cancel(run, FailureReason.CANCELLED, "cancelled by alice"));

        await().atMost(WAIT).until(() -> reports.stateNames("job-c1").contains(JobState.CANCELLED));
        AttemptReport end = reports.last("job-c1");
        assertThat(end.reason()).isEqualTo(FailureReason.CANCELLED);
        assertThat(end.message()).isEqualTo("cancelled by alice");
        assertThat(launcher.cancelled(run.attemptId())).isTrue();
        assertThat(fx.layout.attemptDir(run.attemptId()).resolve("stop.json")).exists();
        assertThat(fx.worker.held()).isEmpty();
    }

    @Test
    void aCancelAimedAtAnotherWorkerIsIgnoredAndOneAimedAtThisWorkerStopsTheAttempt() throws Exception {
        fx = new WorkerFixture(spoolDir, reports, launcher).start();
        RunAssignment run = runningAttempt("job-c5", null);

        fx.control(new WorkerControl(WorkerControl.Type.CANCEL, run.jobId(), run.attempt(), run.attemptId(), POOL,
                FailureReason.CANCELLED, "worker-1 holds this attempt", NOW, "worker-2"));
        fx.control(new WorkerControl(WorkerControl.Type.CANCEL, run.jobId(), run.attempt(), run.attemptId(), POOL,
                FailureReason.CANCELLED, "for me", NOW, "worker-1"));

        await().atMost(WAIT).until(() -> reports.stateNames("job-c5").contains(JobState.CANCELLED));
        assertThat(reports.last("job-c5").message()).isEqualTo("for me");
    }

    @Test
    void aTimedOutControlEndsTheAttemptFailedTimedOut() throws Exception {
        fx = new WorkerFixture(spoolDir, reports, launcher).start();
        RunAssignment run = runningAttempt("job-c2", null);

        fx.control(cancel(run, FailureReason.TIMED_OUT, "queued too long"));

        await().atMost(WAIT).until(() -> reports.stateNames("job-c2").contains(JobState.FAILED));
        assertThat(reports.last("job-c2").reason()).isEqualTo(FailureReason.TIMED_OUT);
        assertThat(reports.last("job-c2").message()).isEqualTo("queued too long");
    }

    @Test
    void controlsForOtherAttemptsOrPoolsAreIgnoredAndACancelSentBeforeTheRunStopsItBeingLaunched() throws Exception {
        RunAssignment early = Runs.python("job-c3", POOL, "/apps/pi.py");
        fx = new WorkerFixture(spoolDir, reports, launcher);
        fx.control(cancel(early, FailureReason.CANCELLED, "changed my mind"));
        fx.control(new WorkerControl(WorkerControl.Type.CANCEL, "job-x", 1, "job-x-a1", "other-pool",
                FailureReason.CANCELLED, null, NOW));
        fx.start();
        RunAssignment other = runningAttempt("job-c4", null);

        fx.send(early);

        await().atMost(WAIT).until(() -> reports.stateNames("job-c3").contains(JobState.CANCELLED));
        assertThat(reports.stateNames("job-c3")).containsExactly(JobState.CANCELLED);
        assertThat(reports.last("job-c3").message()).isEqualTo("changed my mind");
        assertThat(launcher.launchedCount()).isEqualTo(1);
        assertThat(fx.worker.held()).containsExactly(other.attemptId());
        fx.awaitCommitted(2);
    }

    @Test
    void anAttemptRunningPastItsTimeoutIsStoppedAndFailsTimedOut() throws Exception {
        fx = new WorkerFixture(spoolDir, reports, launcher).leases(Duration.ofSeconds(1), Duration.ofSeconds(600)).start();
        RunAssignment run = runningAttempt("job-t1", 60);

        fx.clock.advance(Duration.ofSeconds(59));
        assertThat(launcher.cancelled(run.attemptId())).isFalse();
        fx.clock.advance(Duration.ofSeconds(2));

        await().atMost(WAIT).until(() -> reports.stateNames("job-t1").contains(JobState.FAILED));
        AttemptReport end = reports.last("job-t1");
        assertThat(end.reason()).isEqualTo(FailureReason.TIMED_OUT);
        assertThat(end.message()).contains("timeoutSeconds", "60 s");
        assertThat(launcher.cancelled(run.attemptId())).isTrue();
    }

    @Test
    void heartbeatsEveryIntervalWhileHeldAndRenewTheLeaseFile() throws Exception {
        fx = new WorkerFixture(spoolDir, reports, launcher).leases(Duration.ofSeconds(1), Duration.ofSeconds(30)).start();
        RunAssignment run = runningAttempt("job-h1", null);

        await().atMost(WAIT).until(() -> reports.heartbeats("job-h1").size() >= 2);
        AttemptReport beat = reports.heartbeats("job-h1").get(0);
        assertThat(beat.state()).isEqualTo(JobState.RUNNING);
        assertThat(beat.sparkAppId()).isEqualTo("local-1");
        assertThat(beat.workerId()).isEqualTo("worker-1");
        Path lease = fx.layout.attemptDir(run.attemptId()).resolve("lease");
        fx.clock.advance(Duration.ofSeconds(3));
        await().atMost(WAIT).until(() -> Files.exists(lease)
                && Files.getLastModifiedTime(lease).toInstant().equals(NOW.plusSeconds(3)));

        launcher.app(run.attemptId()).exit(0, null);
        await().atMost(WAIT).until(() -> reports.stateNames("job-h1").contains(JobState.SUCCEEDED));
        int beats = reports.heartbeats("job-h1").size();
        fx.clock.advance(Duration.ofSeconds(3));
        await().during(Duration.ofMillis(1500)).atMost(WAIT).until(() -> reports.heartbeats("job-h1").size() == beats);
    }

    @Test
    void anAttemptWhoseReportsCannotBeDeliveredIsStoppedBeforeItsLeaseRunsOut() throws Exception {
        fx = new WorkerFixture(spoolDir, reports, launcher).leases(Duration.ofSeconds(1), Duration.ofSeconds(30)).start();
        RunAssignment run = runningAttempt("job-f1", null);

        reports.down(true);
        fx.clock.advance(Duration.ofSeconds(19));
        await().during(Duration.ofMillis(600)).atMost(WAIT).until(() -> !launcher.cancelled(run.attemptId()));
        fx.clock.advance(Duration.ofSeconds(2));
        await().atMost(WAIT).until(() -> launcher.cancelled(run.attemptId()));
        reports.down(false);

        await().atMost(WAIT).until(() -> reports.stateNames("job-f1").contains(JobState.FAILED));
        assertThat(reports.last("job-f1").reason()).isEqualTo(FailureReason.LOST);
        assertThat(reports.last("job-f1").message()).contains("could not report");
    }

    /** Sends a run, lets it launch, get app id local-1, and be reported RUNNING. */
    private RunAssignment runningAttempt(String jobId, Integer timeoutSeconds) throws InterruptedException {
        RunAssignment plain = Runs.python(jobId, POOL, "/apps/pi.py");
        JobSpec s = plain.spec();
        JobSpec spec = new JobSpec(s.name(), s.pool(), s.application(), s.conf(), s.idempotencyKey(), s.labels(),
                s.pyFiles(), s.jars(), s.files(), s.archives(), s.packages(), s.env(), timeoutSeconds, s.priority(),
                s.retry());
        RunAssignment run = fx.send(RunAssignment.of(jobId, 1, spec, NOW));
        FakeLauncher.FakeApp app = launcher.next(WAIT);
        assertThat(app.run().jobId()).isEqualTo(jobId);
        app.appId("local-1");
        await().atMost(WAIT).until(() -> reports.stateNames(jobId).contains(JobState.RUNNING));
        return run;
    }

    private static WorkerControl cancel(RunAssignment run, FailureReason reason, String message) {
        return new WorkerControl(WorkerControl.Type.CANCEL, run.jobId(), run.attempt(), run.attemptId(), POOL, reason,
                message, NOW);
    }
}
