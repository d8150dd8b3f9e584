package io.kindling.api.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobWaiting;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A job no worker has taken is served with what its pool waits for; nothing else is, and nothing is stored. */
class JobWaitingViewTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final JobWaiting NO_WORKER = new JobWaiting(JobWaiting.Reason.NO_LIVE_WORKER,
            "no live worker serves pool 'idle' (none seen since " + T0 + ")", T0);

    /** What the pool "idle" waits for right now (empty: a worker serves it). */
    private final AtomicReference<Optional<JobWaiting>> idle = new AtomicReference<>(Optional.of(NO_WORKER));
    private final JobViewStore store = new JobViewStore(ViewConfig.temporary(), Clock.systemUTC(),
            pool -> pool.equals("idle") ? idle.get() : Optional.empty());

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void queuedAndDispatchedJobsOfAPoolWithoutWorkersSayWhyTheyWait() {
        store.apply(queued("q", "idle"));
        store.apply(queued("d", "idle"));
        store.apply(JobEvents.attempt(RunAssignment.of("d", 1, spec("idle"), T0), JobState.DISPATCHED, T0.plusSeconds(1)).build());
        store.apply(queued("other", "default"));

        assertThat(store.find("q").orElseThrow().waiting()).isEqualTo(NO_WORKER);
        assertThat(store.find("d").orElseThrow().waiting()).isEqualTo(NO_WORKER);
        assertThat(store.find("other").orElseThrow().waiting()).isNull();
        assertThat(store.list(JobFilter.ALL, null, 10).items())
                .filteredOn(v -> v.pool().equals("idle")).extracting(v -> v.waiting()).containsOnly(NO_WORKER);
        assertThat(Json.encodeToString(store.find("q").orElseThrow()))
                .contains("\"waiting\":{\"reason\":\"NO_LIVE_WORKER\",\"message\":\"no live worker serves pool 'idle'");
        // computed when served: the folded (and stored) view holds no such thing
        assertThat(store.get("q").orElseThrow().waiting()).isNull();
        assertThat(Json.encodeToString(store.get("q").orElseThrow())).doesNotContain("waiting");
    }

    @Test
    void aJobAWorkerTookOrAPoolAWorkerJoinedWaitsForNothing() {
        RunAssignment run = RunAssignment.of("r", 1, spec("idle"), T0);
        store.apply(queued("r", "idle"));
        store.apply(JobEvents.attempt(run, JobState.RUNNING, T0.plusSeconds(2)).build());
        store.apply(queued("q", "idle"));
        assertThat(store.find("r").orElseThrow().waiting()).isNull();
        assertThat(store.find("q").orElseThrow().waiting()).isNotNull();

        idle.set(Optional.empty()); // a worker joined
        assertThat(store.find("q").orElseThrow().waiting()).isNull();
    }

    private static JobSpec spec(String pool) {
        return new JobSpec("pi", pool, new Application(ApplicationType.PYTHON, "/app/pi.py", null, List.of("10")), null, null,
                Map.of(), null, null, null, null, null, null, null, null, null).withTenant("acme");
    }

    private static io.kindling.schemas.JobEvent queued(String jobId, String pool) {
        return JobEvents.job(jobId, JobState.QUEUED, T0).spec(spec(pool)).submittedAt(T0).build();
    }
}
