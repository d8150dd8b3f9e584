package io.kindling.dispatcher.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.dispatcher.lifecycle.JobSnapshot;
import io.kindling.dispatcher.lifecycle.Output;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A transaction writes each job's state once, and never folds away a record a later one does not replace. */
class StateFoldTest {
    private static final Instant AT = Instant.parse("2026-12-05T10:00:00Z");

    private static Output.State state(String id, JobState state) {
        return new Output.State(id, new JobSnapshot(id, state, null, "default", "acme", null, AT, AT, 1, null, null, null,
                false, null, 0, 0, 0, false, null, null, false, state.terminal() ? AT : null, null));
    }

    private static Output.Event event(String id, JobState state) {
        return new Output.Event(JobEvents.job(id, state, AT).build());
    }

    @Test
    void aJobsLaterStateReplacesItsEarlierOnesAndEveryOtherOutputKeepsItsOrder() {
        Output queued = event("a", JobState.QUEUED);
        Output dispatched = event("a", JobState.DISPATCHED);
        Output other = state("b", JobState.QUEUED);
        Output last = state("a", JobState.SUCCEEDED);
        List<Output> outputs = List.of(queued, state("a", JobState.QUEUED), other, dispatched,
                state("a", JobState.DISPATCHED), state("a", JobState.RUNNING), last);

        assertThat(StateFold.fold(outputs)).containsExactly(queued, other, dispatched, last);
    }

    @Test
    void aFinishedOrForgottenStateIsKeptUnlessALaterFinishedOneReplacesIt() {
        Output finished = state("a", JobState.SUCCEEDED);
        Output forgotten = new Output.State("a", null);
        Output live = state("a", JobState.QUEUED);
        assertThat(StateFold.fold(List.of(finished, forgotten))).containsExactly(finished, forgotten);
        assertThat(StateFold.fold(List.of(forgotten, live))).containsExactly(forgotten, live);
        assertThat(StateFold.fold(List.of(finished, live))).containsExactly(finished, live);
        assertThat(StateFold.fold(List.of(state("a", JobState.FAILED), finished))).containsExactly(finished);
    }
}
