package io.kindling.api.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.api.gateway.SessionActivity;
import io.kindling.api.view.JobViewStore;
import io.kindling.schemas.CancelJob;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.MessageReader;
import io.kindling.schemas.RunAssignment;
import io.kindling.testsupport.time.MutableClock;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class IdleSweeperTest {
    private final Instant start = Instant.parse("2026-12-05T16:00:00Z");
    private final MutableClock clock = new MutableClock(start);
    private final JobViewStore views = new JobViewStore();
    private final SessionActivity activity = new SessionActivity(clock);
    private final List<CancelJob> cancels = new ArrayList<>();
    private final IdleSweeper sweeper = new IdleSweeper(views, activity, cancel -> {
        cancels.add(cancel);
        return CompletableFuture.completedFuture(null);
    }, clock);

    @Test
    void aReadySessionWithoutCallsForLongerThanItsIdleTimeoutIsCancelledOnceWithReasonIdle() {
        ready("s-1", 60, start);
        clock.set(start.plusSeconds(60));
        assertThat(sweeper.sweep()).as("idle for exactly its timeout").isEmpty();

        clock.set(start.plusSeconds(61));
        assertThat(sweeper.sweep()).containsExactly("s-1");
        assertThat(cancels).singleElement().satisfies(c -> {
            assertThat(c.jobId()).isEqualTo("s-1");
            assertThat(c.reason()).startsWith(SessionStatus.IDLE_CANCEL + ":");
            assertThat(c.principal()).isEqualTo(IdleSweeper.PRINCIPAL);
        });
        assertThat(sweeper.sweep()).as("not cancelled again while the cancel is under way").isEmpty();
    }

    @Test
    void aCallThroughTheGatewayKeepsASessionAlive() {
        ready("s-2", 60, start);
        clock.set(start.plusSeconds(50));
        activity.touch("s-2");
        clock.set(start.plusSeconds(100));
        assertThat(sweeper.sweep()).isEmpty();
        clock.set(start.plusSeconds(111));
        assertThat(sweeper.sweep()).containsExactly("s-2");
    }

    @Test
    void aStartingSessionIsNeverIdle() {
        JobSpec spec = spec(10);
        views.apply(JobEvents.job("s-3", JobState.QUEUED, start).spec(spec).submittedAt(start).build());
        clock.set(start.plusSeconds(3600));
        assertThat(sweeper.sweep()).isEmpty();
    }

    private void ready(String id, int idleSeconds, Instant at) {
        JobSpec spec = spec(idleSeconds);
        RunAssignment run = RunAssignment.of(id, 1, spec, at);
        views.apply(JobEvents.job(id, JobState.QUEUED, at).spec(spec).submittedAt(at).build());
        views.apply(JobEvents.attempt(run, JobState.DISPATCHED, at).build());
        views.apply(JobEvents.attempt(run, JobState.RUNNING, at).workerId("w").build());
    }

    private static JobSpec spec(int idleSeconds) {
        return new MessageReader().readJobSpec(SessionSpecs.jobSpec(new JsonObject().put("idleTimeoutSeconds", idleSeconds)));
    }
}
