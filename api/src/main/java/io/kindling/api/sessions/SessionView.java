package io.kindling.api.sessions;

import io.kindling.schemas.AttemptView;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobView;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A session as {@code /v1/sessions} shows it, made from its job's view ({@link SessionStatus} for
 * the state). {@code logs} is where the server's stdout and stderr are read: the job's log
 * endpoint ({@code <logs>/stdout}, {@code <logs>/stderr}; its attempt's, like any job's).
 */
public record SessionView(String id, SessionState state, String reason, String message, String connectUrl,
        String tenant, String pool, Map<String, String> labels, int idleTimeoutSeconds, Integer maxLifetimeSeconds,
        Instant createdAt, Instant updatedAt, Integer attempt, String logs) {

    public SessionView {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** The view of the session that is job {@code job} (submitted with {@code spec} if known). */
    public static SessionView of(JobView job, Optional<JobSpec> spec, Function<String, String> connectUrl) {
        SessionStatus status = SessionStatus.of(job);
        return new SessionView(job.id(), status.state(), status.reason(), status.message(), connectUrl.apply(job.id()),
                job.tenant() == null ? JobSpec.DEFAULT_TENANT : job.tenant(), job.pool(),
                SessionSpecs.userLabels(job.labels()), SessionSpecs.idleTimeoutSeconds(job),
                spec.map(JobSpec::timeoutSeconds).orElse(null), job.submittedAt(), job.updatedAt(),
                job.latestAttempt().map(AttemptView::number).orElse(null), "/v1/jobs/" + job.id() + "/logs");
    }
}
