package io.kindling.worker;

import static io.kindling.worker.WorkerFixture.POOL;
import static io.kindling.worker.WorkerFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.common.management.Management;
import io.kindling.schemas.AttemptReport;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobState;
import io.kindling.worker.report.MeteredReportPublisher;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's liveness and readiness as the management endpoint serves them, and its report counters. */
class WorkerHealthTest {
    @TempDir
    Path spoolDir;
    private WorkerFixture fx;
    private final Management management = Management.inMemory();

    @AfterEach
    void stop() {
        if (fx != null) {
            fx.close();
        }
        management.close();
    }

    @Test
    void aRunLoopThatDiesMakesTheWorkerNotLive() {
        fx = new WorkerFixture(spoolDir, new RecordingReports(), FakeLauncher.manual()).start();
        WorkerComponent.watch(management, fx.worker, POOL);
        await().atMost(WAIT).until(() -> management.health().ready().ok());
        assertThat(management.health().live().checks()).containsEntry("worker." + POOL, true);

        fx.runs.setPollException(new KafkaException("the runs consumer broke"));

        await().atMost(WAIT).until(() -> !management.health().live().ok());
        assertThat(management.health().live().checks()).containsEntry("worker." + POOL, false);
        assertThat(management.health().ready().ok()).isFalse();
    }

    @Test
    void aControlLoopThatDiesMakesTheWorkerNotLive() {
        fx = new WorkerFixture(spoolDir, new RecordingReports(), FakeLauncher.manual()).start();
        WorkerComponent.watch(management, fx.worker, POOL);
        await().atMost(WAIT).until(() -> management.health().live().ok());

        fx.controls.setPollException(new KafkaException("the control consumer broke"));

        await().atMost(WAIT).until(() -> !management.health().live().ok());
    }

    @Test
    void acknowledgedReportsCountAttemptsStartedAndEndedByStateAndReason() {
        RecordingReports recorded = new RecordingReports();
        MeteredReportPublisher reports = new MeteredReportPublisher(recorded, management.registry());
        reports.publish(report(JobState.SUBMITTING, null)).join();
        reports.publish(report(JobState.RUNNING, null)).join();
        reports.publish(report(JobState.FAILED, FailureReason.APP_FAILED)).join();
        reports.publish(report(JobState.SUCCEEDED, null)).join();

        assertThat(management.scrape())
                .contains("kindling_worker_attempts_started_total{pool=\"default\"} 1.0")
                .contains("kindling_worker_attempts_ended_total{pool=\"default\",reason=\"APP_FAILED\",state=\"FAILED\"} 1.0")
                .contains("kindling_worker_attempts_ended_total{pool=\"default\",reason=\"none\",state=\"SUCCEEDED\"} 1.0");
    }

    private static AttemptReport report(JobState state, FailureReason reason) {
        return new AttemptReport(AttemptReport.Type.STATE, "job-m1", 1, "job-m1-a1", POOL, "worker-1", state,
                Instant.parse("2026-12-05T12:00:00Z"), reason, null, null, null, null);
    }
}
