package io.kindling.worker;

import static org.assertj.core.api.Assertions.tuple;
import io.kindling.schemas.DeadLetter;
import static io.kindling.worker.WorkerFixture.NOW;
import static io.kindling.worker.WorkerFixture.POOL;
import static io.kindling.worker.WorkerFixture.WAIT;
import static io.kindling.worker.WorkerFixture.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.common.spool.SpoolAttempt;
import io.kindling.common.spool.SpoolExit;
import io.kindling.schemas.AttemptReport;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.shim.ShimExit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report-based flow of one worker: reports, spool, commits, capacity, shutdown. */
class WorkerTest {
    @TempDir
    Path spoolDir;
    private WorkerFixture fx;

    @AfterEach
    void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    private WorkerFixture start(RecordingReports reports, FakeLauncher launcher) {
        fx = new WorkerFixture(spoolDir, reports, launcher).start();
        return fx;
    }

    @Test
    void runsAnAttemptAndReportsItThenCommits() {
        Map<String, Boolean> exitFileAtPublish = new ConcurrentHashMap<>();
        RecordingReports reports = new RecordingReports();
        start(reports.observing(r -> exitFileAtPublish.put(r.state().name(),
                Files.exists(fx.layout.exitFile(r.attemptId())))), FakeLauncher.succeeding());

        RunAssignment run = fx.send(Runs.python("job-1", POOL, "/apps/pi.py"));

        await().atMost(WAIT).until(() -> reports.states("job-1").size() == 3);
        assertThat(reports.stateNames("job-1")).containsExactly(JobState.SUBMITTING, JobState.RUNNING, JobState.SUCCEEDED);
        List<AttemptReport> published = reports.states("job-1");
        assertThat(published).allSatisfy(r -> {
            assertThat(r.workerId()).isEqualTo("worker-1");
            assertThat(r.attempt()).isEqualTo(1);
            assertThat(r.attemptId()).isEqualTo("job-1-a1");
            assertThat(r.pool()).isEqualTo(POOL);
            assertThat(r.type()).isEqualTo(AttemptReport.Type.STATE);
        });
        assertThat(published.get(1).sparkAppId()).startsWith("local-");
        assertThat(published.get(2).exitCode()).isZero();
        assertThat(published.get(2).reason()).isNull();
        assertThat(published.get(2).sparkAppId()).startsWith("local-");
        assertThat(exitFileAtPublish).containsEntry("SUBMITTING", false).containsEntry("SUCCEEDED", true);

        SpoolAttempt attempt = Json.decode(read(fx.layout.attemptFile(run.attemptId())), SpoolAttempt.class);
        assertThat(attempt).isEqualTo(SpoolAttempt.of(run, "worker-1", NOW));
        assertThat(attempt.run().spec()).isEqualTo(run.spec());
        assertThat(Json.decode(read(fx.layout.exitFile(run.attemptId())), SpoolExit.class)).isEqualTo(new SpoolExit(0, NOW));
        fx.awaitCommitted(1);
        await().atMost(WAIT).until(() -> Files.exists(fx.layout.attemptDir(run.attemptId()).resolve("reported")));
        assertThat(fx.worker.held()).isEmpty();
    }

    @Test
    void aDriverThatExitsNonZeroIsAnAppFailureWithItsReason() throws InterruptedException {
        RecordingReports reports = new RecordingReports();
        FakeLauncher launcher = FakeLauncher.manual();
        start(reports, launcher);

        fx.send(Runs.python("job-2", POOL, "/apps/fail.py"));
        FakeLauncher.FakeApp app = launcher.next(WAIT);
        app.appId("local-42");
        app.exit(3, "ValueError: boom");

        await().atMost(WAIT).until(() -> reports.stateNames("job-2").contains(JobState.FAILED));
        AttemptReport failed = reports.last("job-2");
        assertThat(failed.reason()).isEqualTo(FailureReason.APP_FAILED);
        assertThat(failed.exitCode()).isEqualTo(3);
        assertThat(failed.message()).isEqualTo("ValueError: boom");
        assertThat(failed.sparkAppId()).isEqualTo("local-42");
        assertThat(reports.stateNames("job-2")).containsExactly(JobState.SUBMITTING, JobState.RUNNING, JobState.FAILED);
    }

    @Test
    void aRefusedLaunchIsASubmissionFailureAndStillEndsTheSpool() {
        RecordingReports reports = new RecordingReports();
        start(reports, FakeLauncher.refusing("application file /nope.py does not exist on worker host"));

        RunAssignment run = fx.send(Runs.python("job-3", POOL, "/nope.py"));

        await().atMost(WAIT).until(() -> reports.stateNames("job-3").contains(JobState.FAILED));
        assertThat(reports.stateNames("job-3")).containsExactly(JobState.SUBMITTING, JobState.FAILED);
        AttemptReport failed = reports.last("job-3");
        assertThat(failed.reason()).isEqualTo(FailureReason.SUBMISSION_FAILED);
        assertThat(failed.message()).contains("/nope.py");
        assertThat(failed.exitCode()).isNull();
        ShimExit exit = Json.decode(read(fx.layout.exitFile(run.attemptId())), ShimExit.class);
        assertThat(exit.exitCode()).isNull();
        assertThat(exit.reason()).isEqualTo(FailureReason.SUBMISSION_FAILED);
        fx.awaitCommitted(1);
    }

    @Test
    void aLaunchThePolicyRefusesEndsRejectedSoItIsNotRetried() {
        RecordingReports reports = new RecordingReports();
        start(reports, FakeLauncher.rejecting("environment entry JAVA_TOOL_OPTIONS changes how the JVM ... start"));

        fx.send(Runs.python("job-31", POOL, "/app.py"));

        await().atMost(WAIT).until(() -> reports.stateNames("job-31").contains(JobState.FAILED));
        AttemptReport failed = reports.last("job-31");
        assertThat(failed.reason()).isEqualTo(FailureReason.REJECTED);
        assertThat(failed.message()).contains("JAVA_TOOL_OPTIONS");
    }

    @Test
    void pausesAtCapacityAndResumesWhenASlotFrees() throws InterruptedException {
        RecordingReports reports = new RecordingReports();
        FakeLauncher launcher = FakeLauncher.manual();
        fx = new WorkerFixture(spoolDir, reports, launcher);
        fx.runs.setMaxPollRecords(1);
        fx.start();

        fx.send(Runs.python("job-a", POOL, "/a.py"));
        fx.send(Runs.python("job-b", POOL, "/b.py"));
        fx.send(Runs.python("job-c", POOL, "/c.py"));

        FakeLauncher.FakeApp first = launcher.next(WAIT);
        FakeLauncher.FakeApp second = launcher.next(WAIT);
        assertThat(List.of(first.run().jobId(), second.run().jobId())).containsExactlyInAnyOrder("job-a", "job-b");
        await().atMost(WAIT).until(() -> fx.runs.paused().contains(WorkerFixture.RUNS_TP));
        assertThat(launcher.next(Duration.ofMillis(500))).as("a third attempt while two run").isNull();
        fx.awaitCommitted(2);

        first.exit(0, null);

        FakeLauncher.FakeApp third = launcher.next(WAIT);
        assertThat(third.run().jobId()).isEqualTo("job-c");
        fx.awaitCommitted(3);
        second.exit(0, null);
        third.exit(0, null);
        await().atMost(WAIT).until(() -> fx.runs.paused().isEmpty());
    }

    @Test
    void commitsAndLaunchesOnlyOnceSubmittingIsAcknowledged() throws InterruptedException {
        RecordingReports reports = new RecordingReports().holding(JobState.SUBMITTING);
        FakeLauncher launcher = FakeLauncher.manual();
        start(reports, launcher);

        fx.send(Runs.python("job-4", POOL, "/apps/pi.py"));

        assertThat(launcher.next(Duration.ofMillis(700))).as("launched before SUBMITTING was acknowledged").isNull();
        assertThat(fx.committed()).isNull();
        reports.release();
        assertThat(launcher.next(WAIT)).isNotNull();
        fx.awaitCommitted(1);
    }

    @Test
    void retriesAReportUntilItIsAcknowledged() {
        RecordingReports reports = new RecordingReports().failing(2);
        start(reports, FakeLauncher.succeeding());

        fx.send(Runs.python("job-5", POOL, "/apps/pi.py"));

        await().atMost(WAIT).until(() -> reports.states("job-5").size() == 3);
        assertThat(reports.stateNames("job-5")).containsExactly(JobState.SUBMITTING, JobState.RUNNING, JobState.SUCCEEDED);
    }

    @Test
    void stoppingLeavesRunningDriversForTheNextWorkerWithoutExitFileOrEndReport() throws InterruptedException {
        RecordingReports reports = new RecordingReports();
        FakeLauncher launcher = FakeLauncher.manual();
        start(reports, launcher);
        RunAssignment run = fx.send(Runs.python("job-7", POOL, "/apps/pi.py"));
        FakeLauncher.FakeApp app = launcher.next(WAIT);
        app.appId("local-7");
        await().atMost(WAIT).until(() -> reports.stateNames("job-7").contains(JobState.RUNNING));
        fx.awaitCommitted(1);

        assertThat(fx.worker.healthy()).isTrue();
        Worker worker = fx.worker;
        fx.close();
        assertThat(worker.healthy()).isFalse();

        assertThat(launcher.closed()).isTrue();
        assertThat(launcher.cancelled(run.attemptId())).as("the driver is left running").isFalse();
        assertThat(reports.closed()).isTrue();
        assertThat(fx.runs.closed()).isTrue();
        assertThat(fx.controls.closed()).isTrue();
        assertThat(reports.stateNames("job-7")).containsExactly(JobState.SUBMITTING, JobState.RUNNING);
        assertThat(fx.layout.exitFile(run.attemptId())).doesNotExist();
        assertThat(Json.decode(read(fx.layout.attemptFile(run.attemptId())), SpoolAttempt.class).run()).isEqualTo(run);
    }

    @Test
    void deadLettersUnreadableRecordsAndReReportsAttemptsThatAlreadyEndedHereWithoutLaunchingThem() throws Exception {
        RecordingReports reports = new RecordingReports();
        FakeLauncher launcher = FakeLauncher.succeeding();
        Files.createDirectories(fx(reports, launcher).layout.attemptDir("job-8-a1"));
        Files.writeString(fx.layout.attemptFile("job-8-a1"), "{\"jobId\":\"job-8\",\"attempt\":1,\"attemptId\":"
                + "\"job-8-a1\",\"workerId\":\"someone-else\"}");
        Files.writeString(fx.layout.exitFile("job-8-a1"), "{\"exitCode\":4,\"message\":\"boom\"}");
        fx.start();

        fx.sendRaw("junk", "not json".getBytes(StandardCharsets.UTF_8));
        fx.sendRaw("evil", Json.encode(new RunAssignment("evil", 1, "../../etc", POOL, "default",
                Runs.python("evil", POOL, "/x.py").spec(), NOW)));
        fx.send(Runs.python("job-8", POOL, "/apps/pi.py"));
        fx.send(Runs.python("job-9", POOL, "/apps/pi.py"));

        await().atMost(WAIT).until(() -> reports.states("job-9").size() == 3);
        fx.awaitCommitted(4);
        assertThat(launcher.launchedCount()).isEqualTo(1);
        assertThat(reports.stateNames("job-8")).containsExactly(JobState.FAILED);
        assertThat(reports.last("job-8").exitCode()).isEqualTo(4);
        assertThat(reports.last("job-8").message()).isEqualTo("boom");
        assertThat(fx.deadLetters()).extracting(DeadLetter::sourceOffset, DeadLetter::reason)
                .containsExactly(tuple(0L, "MALFORMED_JSON"), tuple(1L, "INVALID"));
    }

    @Test
    void deadLettersAssignmentsWithLyingKeysPoolsOrIdsAndSkipsReplaysOfEndedAttempts() throws Exception {
        RecordingReports reports = new RecordingReports();
        FakeLauncher launcher = FakeLauncher.succeeding();
        fx(reports, launcher).start();
        RunAssignment good = Runs.python("job-1", POOL, "/apps/pi.py");

        fx.sendRaw("someone-else", Json.encode(good));
        fx.sendRaw("job-2", Json.encode(Runs.python("job-2", "gpu", "/apps/pi.py")));
        fx.sendRaw("job-3", Json.encode(new RunAssignment("job-3", 2, "job-3-a1", POOL, "default",
                Runs.python("job-3", POOL, "/x.py").spec(), NOW)));
        fx.sendRaw("job-4", ("{\"jobId\":\"job-4\",\"pad\":\"" + "x".repeat(900_000) + "\"}").getBytes(StandardCharsets.UTF_8));
        fx.send(good);
        await().atMost(WAIT).until(() -> reports.states("job-1").size() == 3);
        fx.send(good);
        fx.send(Runs.python("job-5", POOL, "/apps/pi.py"));

        await().atMost(WAIT).until(() -> reports.states("job-5").size() == 3);
        fx.awaitCommitted(7);
        assertThat(launcher.launchedCount()).isEqualTo(2);
        assertThat(fx.deadLetters()).extracting(DeadLetter::sourceOffset, DeadLetter::reason, DeadLetter::jobId)
                .containsExactly(tuple(0L, "INVALID", "job-1"), tuple(1L, "INVALID", "job-2"),
                        tuple(2L, "INVALID", "job-3"), tuple(3L, "SCHEMA_VIOLATION", "job-4"));
        assertThat(fx.deadLetters().get(1).message()).contains("pool 'gpu'");
    }

    private WorkerFixture fx(RecordingReports reports, FakeLauncher launcher) {
        fx = new WorkerFixture(spoolDir, reports, launcher);
        return fx;
    }
}
