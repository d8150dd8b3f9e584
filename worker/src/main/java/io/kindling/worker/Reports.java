package io.kindling.worker;

import io.kindling.schemas.AttemptReport;
import io.kindling.schemas.JobState;
import io.kindling.schemas.RunAssignment;
import java.time.Instant;

/** Builds a worker's {@link AttemptReport}s. */
final class Reports {
    private Reports() {
    }

    static AttemptReport state(RunAssignment run, String workerId, JobState state, Instant time, String sparkAppId) {
        return state(run, workerId, state, time, sparkAppId, null);
    }

    static AttemptReport state(RunAssignment run, String workerId, JobState state, Instant time, String sparkAppId,
            String sparkUiUrl) {
        return new AttemptReport(AttemptReport.Type.STATE, run.jobId(), run.attempt(), run.attemptId(), run.pool(),
                workerId, state, time, null, null, null, sparkAppId, sparkUiUrl);
    }

    static AttemptReport end(RunAssignment run, String workerId, Outcome outcome, Instant time, String sparkAppId) {
        return new AttemptReport(AttemptReport.Type.STATE, run.jobId(), run.attempt(), run.attemptId(), run.pool(),
                workerId, outcome.state(), time, outcome.reason(), outcome.message(), outcome.exitCode(), sparkAppId,
                null);
    }

    static AttemptReport heartbeat(HeldAttempt held, String workerId, Instant time) {
        RunAssignment run = held.run();
        return new AttemptReport(AttemptReport.Type.HEARTBEAT, run.jobId(), run.attempt(), run.attemptId(), run.pool(),
                workerId, held.state(), time, null, null, null, held.sparkAppId(), null);
    }
}
