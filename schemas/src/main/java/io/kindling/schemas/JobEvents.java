package io.kindling.schemas;

import java.time.Instant;

/**
 * Builds {@link JobEvent}s. Event ids are deterministic ({@code <jobId>[/a<attempt>]/<STATE>}), so a
 * component that emits a transition again after a crash produces a duplicate consumers can skip.
 */
public final class JobEvents {
    private JobEvents() {
    }

    public static Builder job(String jobId, JobState state, Instant time) {
        return new Builder(jobId, state, time);
    }

    public static Builder attempt(RunAssignment run, JobState state, Instant time) {
        return new Builder(run.jobId(), state, time).attempt(run.attempt()).pool(run.pool()).tenant(run.tenant());
    }

    /** A fluent builder; every setter returns this. */
    public static final class Builder {
        private final String jobId;
        private final JobState state;
        private final Instant time;
        private Integer attempt;
        private FailureReason reason;
        private String message;
        private Integer exitCode;
        private String sparkAppId;
        private String sparkUiUrl;
        private String workerId;
        private String pool;
        private String tenant;
        private JobSpec spec;
        private Instant submittedAt;
        private Instant nextAttemptAt;
        private String principal;

        private Builder(String jobId, JobState state, Instant time) {
            this.jobId = jobId;
            this.state = state;
            this.time = time;
        }

        public Builder attempt(Integer value) { attempt = value; return this; }
        public Builder reason(FailureReason value) { reason = value; return this; }
        public Builder message(String value) { message = value; return this; }
        public Builder exitCode(Integer value) { exitCode = value; return this; }
        public Builder sparkAppId(String value) { sparkAppId = value; return this; }
        public Builder sparkUiUrl(String value) { sparkUiUrl = value; return this; }
        public Builder workerId(String value) { workerId = value; return this; }
        public Builder pool(String value) { pool = value; return this; }
        public Builder tenant(String value) { tenant = value; return this; }
        public Builder submittedAt(Instant value) { submittedAt = value; return this; }
        public Builder nextAttemptAt(Instant value) { nextAttemptAt = value; return this; }
        public Builder principal(String value) { principal = value; return this; }

        /** Attaches the spec, and with it the pool and tenant. */
        public Builder spec(JobSpec value) {
            spec = value;
            if (value != null) {
                pool = value.pool();
                tenant = value.tenant();
            }
            return this;
        }

        public JobEvent build() {
            String attemptId = attempt == null ? null : AttemptId.of(jobId, attempt);
            String eventId = (attemptId == null ? jobId : attemptId) + "/" + state;
            return new JobEvent(eventId, jobId, state, time, attempt, attemptId, reason, message, exitCode,
                    sparkAppId, sparkUiUrl, workerId, pool, tenant, spec, submittedAt, nextAttemptAt, principal);
        }
    }
}
