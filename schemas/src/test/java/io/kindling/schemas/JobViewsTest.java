package io.kindling.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobViewsTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final JobSpec spec = new JobSpec("pi", "default", new Application(ApplicationType.PYTHON, "/pi.py", null, null),
            null, null, Map.of("tenant", "acme"), null, null, null, null, null, null, null, null, null).withTenant("acme");
    private final RunAssignment run = RunAssignment.of("job-1", 1, spec, T0);

    private Optional<JobView> fold(List<JobEvent> events) {
        Optional<JobView> view = Optional.empty();
        for (JobEvent e : events) {
            view = Optional.of(JobViews.apply(view, e));
        }
        return view;
    }

    @Test
    void foldsTheHappyPath() {
        JobView view = fold(List.of(
                JobEvents.job("job-1", JobState.QUEUED, T0).spec(spec).submittedAt(T0).build(),
                JobEvents.attempt(run, JobState.DISPATCHED, T0.plusSeconds(1)).build(),
                JobEvents.attempt(run, JobState.SUBMITTING, T0.plusSeconds(2)).workerId("w1").build(),
                JobEvents.attempt(run, JobState.RUNNING, T0.plusSeconds(3)).sparkAppId("local-1").build(),
                JobEvents.attempt(run, JobState.SUCCEEDED, T0.plusSeconds(4)).exitCode(0).build())).orElseThrow();
        assertThat(view.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(view.tenant()).isEqualTo("acme");
        assertThat(view.name()).isEqualTo("pi");
        AttemptView attempt = view.attempts().get(0);
        assertThat(attempt.attemptId()).isEqualTo("job-1-a1");
        assertThat(attempt.workerId()).isEqualTo("w1");
        assertThat(attempt.sparkAppId()).isEqualTo("local-1");
        assertThat(attempt.exitCode()).isZero();
        assertThat(attempt.startedAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(attempt.finishedAt()).isEqualTo(T0.plusSeconds(4));
    }

    @Test
    void terminalJobIgnoresLateEvents() {
        JobView view = fold(List.of(
                JobEvents.job("job-1", JobState.QUEUED, T0).spec(spec).build(),
                JobEvents.attempt(run, JobState.FAILED, T0.plusSeconds(1)).exitCode(3)
                        .reason(FailureReason.APP_FAILED).message("exit 3").build(),
                JobEvents.attempt(run, JobState.RUNNING, T0.plusSeconds(2)).build())).orElseThrow();
        assertThat(view.state()).isEqualTo(JobState.FAILED);
        assertThat(view.reason()).isEqualTo(FailureReason.APP_FAILED);
        assertThat(view.attempts().get(0).exitCode()).isEqualTo(3);
    }

    @Test
    void retryingEndsTheFailedAttemptAndShowsTheNextAttemptTime() {
        RunAssignment second = RunAssignment.of("job-1", 2, spec, T0.plusSeconds(10));
        JobView view = fold(List.of(
                JobEvents.job("job-1", JobState.QUEUED, T0).spec(spec).build(),
                JobEvents.attempt(run, JobState.RUNNING, T0.plusSeconds(1)).build(),
                JobEvents.attempt(run, JobState.RETRYING, T0.plusSeconds(2)).reason(FailureReason.APP_FAILED).exitCode(3)
                        .nextAttemptAt(T0.plusSeconds(10)).build())).orElseThrow();
        assertThat(view.state()).isEqualTo(JobState.RETRYING);
        assertThat(view.nextAttemptAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(view.attempts().get(0).state()).isEqualTo(JobState.FAILED);
        assertThat(view.attempts().get(0).exitCode()).isEqualTo(3);
        JobView after = JobViews.apply(Optional.of(view), JobEvents.attempt(second, JobState.DISPATCHED, T0.plusSeconds(10)).build());
        assertThat(after.nextAttemptAt()).isNull();
        assertThat(after.attempts()).extracting(AttemptView::number).containsExactly(1, 2);
    }

    @Test
    void eventIdsAreDeterministic() {
        assertThat(JobEvents.attempt(run, JobState.RUNNING, T0).build().eventId())
                .isEqualTo(JobEvents.attempt(run, JobState.RUNNING, T0.plusSeconds(9)).build().eventId())
                .isEqualTo("job-1-a1/RUNNING");
    }
}
