package io.kindling.schemas;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Folds a job's events, in order, into its view. Pure: an event that would move a terminal job, or
 * a terminal attempt, leaves the view unchanged (consumers skip event ids already applied).
 * A RETRYING event names the attempt that failed: that attempt ends FAILED and the job waits for
 * {@code nextAttemptAt}.
 */
public final class JobViews {
    private JobViews() {
    }

    /** The view after {@code event}; {@code current} may be empty for the job's first event. */
    public static JobView apply(Optional<JobView> current, JobEvent event) {
        JobView view = current.orElseGet(() -> initial(event));
        if (view.state().terminal() && current.isPresent()) {
            return view;
        }
        List<AttemptView> attempts = new ArrayList<>(view.attempts());
        if (event.attempt() != null) {
            applyToAttempt(attempts, event);
        }
        boolean failed = event.state() == JobState.FAILED || event.state() == JobState.CANCELLED
                || event.state() == JobState.REJECTED;
        return new JobView(
                view.id(),
                view.name(),
                event.pool() != null ? event.pool() : view.pool(),
                event.tenant() != null ? event.tenant() : view.tenant(),
                event.state(),
                failed ? event.reason() : null,
                failed ? event.message() : null,
                view.labels(),
                view.submittedAt(),
                event.time(),
                event.state() == JobState.RETRYING ? event.nextAttemptAt() : null,
                null,
                attempts);
    }

    private static JobView initial(JobEvent event) {
        JobSpec spec = event.spec();
        return new JobView(
                event.jobId(),
                spec == null ? null : spec.name(),
                spec == null ? event.pool() : spec.pool(),
                spec == null ? event.tenant() : spec.tenant(),
                JobState.QUEUED,
                null,
                null,
                spec == null ? null : spec.labels(),
                event.submittedAt() != null ? event.submittedAt() : event.time(),
                event.time(),
                null,
                null,
                List.of());
    }

    private static void applyToAttempt(List<AttemptView> attempts, JobEvent e) {
        int index = -1;
        for (int i = 0; i < attempts.size(); i++) {
            if (attempts.get(i).number() == e.attempt()) {
                index = i;
            }
        }
        AttemptView before = index >= 0 ? attempts.get(index)
                : new AttemptView(e.attempt(), AttemptId.of(e.jobId(), e.attempt()), e.state(), null, null, null,
                        null, null, null, e.time(), null, null);
        if (index >= 0 && before.state().terminal()) {
            return;
        }
        // RETRYING names the attempt that just failed: that attempt ended FAILED, the job waits
        JobState state = e.state() == JobState.RETRYING ? JobState.FAILED : e.state();
        AttemptView after = new AttemptView(
                before.number(),
                before.attemptId(),
                state,
                first(e.workerId(), before.workerId()),
                first(e.exitCode(), before.exitCode()),
                first(e.reason(), before.reason()),
                first(e.message(), before.message()),
                first(e.sparkAppId(), before.sparkAppId()),
                first(e.sparkUiUrl(), before.sparkUiUrl()),
                before.createdAt(),
                before.startedAt() == null && state == JobState.RUNNING ? e.time() : before.startedAt(),
                state.terminal() ? e.time() : before.finishedAt());
        if (index >= 0) {
            attempts.set(index, after);
        } else {
            attempts.add(after);
            attempts.sort(java.util.Comparator.comparingInt(AttemptView::number));
        }
    }

    private static <T> T first(T preferred, T fallback) {
        return preferred != null ? preferred : fallback;
    }
}
