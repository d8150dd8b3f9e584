package io.kindling.api.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import io.kindling.schemas.RunAssignment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobViewStoreTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final JobSpec SPEC = new JobSpec("pi", null, new Application(ApplicationType.PYTHON, "/app/pi.py", null,
            List.of("10")), null, null, Map.of("tenant", "acme"), null, null, null, null, null, null, null, null, null)
            .withTenant("acme");

    private final JobViewStore store = new JobViewStore();

    @Test
    void foldsALifecycleIntoTheView() {
        RunAssignment run = RunAssignment.of("job-1", 1, SPEC, T0);
        store.apply(queued("job-1"));
        store.apply(JobEvents.attempt(run, JobState.DISPATCHED, T0.plusSeconds(1)).build());
        store.apply(JobEvents.attempt(run, JobState.RUNNING, T0.plusSeconds(2)).sparkAppId("app-1").build());
        store.apply(JobEvents.attempt(run, JobState.SUCCEEDED, T0.plusSeconds(3)).exitCode(0).build());

        JobView view = store.get("job-1").orElseThrow();
        assertThat(view.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(view.tenant()).isEqualTo("acme");
        assertThat(view.attempts()).singleElement().satisfies(a -> {
            assertThat(a.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(a.sparkAppId()).isEqualTo("app-1");
            assertThat(a.exitCode()).isZero();
        });
    }

    @Test
    void skipsAnEventAlreadyApplied() {
        RunAssignment run = RunAssignment.of("job-2", 1, SPEC, T0);
        JobEvent running = JobEvents.attempt(run, JobState.RUNNING, T0.plusSeconds(2)).build();
        assertThat(store.apply(queued("job-2"))).isTrue();
        assertThat(store.apply(running)).isTrue();
        JobView before = store.get("job-2").orElseThrow();

        // the same transition again (a worker that restarted), even with a later time
        JobEvent again = JobEvents.attempt(run, JobState.RUNNING, T0.plusSeconds(60)).build();
        assertThat(again.eventId()).isEqualTo(running.eventId());
        assertThat(store.apply(again)).isFalse();
        assertThat(store.apply(queued("job-2"))).isFalse();

        assertThat(store.get("job-2")).contains(before);
    }

    @Test
    void eventsApplyOnTopOfAProvisionalView() {
        JobView provisional = new JobView("job-3", "pi", "default", "acme", JobState.QUEUED, null, null,
                Map.of("tenant", "acme"), T0, T0, null, null, List.of());
        store.putProvisional(provisional);
        assertThat(store.get("job-3")).contains(provisional);

        store.apply(queued("job-3"));
        RunAssignment run = RunAssignment.of("job-3", 1, SPEC, T0);
        store.apply(JobEvents.attempt(run, JobState.FAILED, T0.plusSeconds(5)).reason(FailureReason.APP_FAILED)
                .message("boom").build());

        JobView view = store.get("job-3").orElseThrow();
        assertThat(view.state()).isEqualTo(JobState.FAILED);
        assertThat(view.reason()).isEqualTo(FailureReason.APP_FAILED);
        assertThat(view.attempts()).hasSize(1);
    }

    @Test
    void aProvisionalViewNeverReplacesOneFromEvents() {
        store.apply(queued("job-4"));
        RunAssignment run = RunAssignment.of("job-4", 1, SPEC, T0);
        store.apply(JobEvents.attempt(run, JobState.RUNNING, T0.plusSeconds(1)).build());

        store.putProvisional(new JobView("job-4", "pi", "default", "acme", JobState.QUEUED, null, null, null, T0, T0, null, null,
                List.of()));

        assertThat(store.get("job-4").orElseThrow().state()).isEqualTo(JobState.RUNNING);
    }

    @Test
    void unknownJobsAreAbsent() {
        assertThat(store.get("nope")).isEmpty();
        assertThat(store.size()).isZero();
    }

    @Test
    void keepsTheSpecOfTheQueuedEventOrOfTheSubmission() {
        store.apply(queued("job-5"));
        assertThat(store.spec("job-5")).contains(SPEC);

        JobView provisional = new JobView("job-6", "pi", "default", "acme", JobState.QUEUED, null, null, null, T0, T0,
                null, null, List.of());
        store.putProvisional(provisional, SPEC);
        store.apply(JobEvents.job("job-6", JobState.CANCELLED, T0.plusSeconds(1)).build());
        assertThat(store.spec("job-6")).contains(SPEC);

        store.apply(JobEvents.job("job-7", JobState.REJECTED, T0).reason(FailureReason.REJECTED).build());
        assertThat(store.spec("job-7")).isEmpty();
    }

    @Test
    void watchersGetTheEventsSoFarThenLiveOnesNumberedFromZero() {
        RunAssignment run = RunAssignment.of("job-8", 1, SPEC, T0);
        store.apply(queued("job-8"));
        store.apply(JobEvents.attempt(run, JobState.DISPATCHED, T0.plusSeconds(1)).build());
        List<IndexedEvent> live = new ArrayList<>();

        EventSubscription watch = store.subscribe("job-8", live::add).orElseThrow();
        assertThat(watch.replay()).extracting(IndexedEvent::index).containsExactly(0L, 1L);
        assertThat(watch.replay()).extracting(e -> e.event().state()).containsExactly(JobState.QUEUED, JobState.DISPATCHED);

        store.apply(JobEvents.attempt(run, JobState.RUNNING, T0.plusSeconds(2)).build());
        store.apply(JobEvents.attempt(run, JobState.RUNNING, T0.plusSeconds(3)).build()); // duplicate: not an event
        assertThat(live).extracting(IndexedEvent::index).containsExactly(2L);
        assertThat(store.watchedJobs()).isEqualTo(1);

        watch.close();
        watch.close();
        store.apply(JobEvents.attempt(run, JobState.SUCCEEDED, T0.plusSeconds(4)).build());
        assertThat(live).hasSize(1);
        assertThat(store.watchedJobs()).isZero();
        assertThat(store.subscribe("no-such-job", live::add)).isEmpty();
        assertThat(store.watchedJobs()).isZero();
    }

    @Test
    void viewWatchersGetEachChangedViewAsServedOnceUntilClosed() {
        List<JobView> changed = new ArrayList<>();
        JobViewStore.ViewWatch watch = store.watchViews(changed::add);
        assertThat(store.viewWatchers()).isEqualTo(1);

        store.apply(queued("job-w1"));
        store.apply(queued("job-w1")); // already applied: no change
        store.apply(queued("job-w2"));
        RunAssignment run = RunAssignment.of("job-w1", 1, SPEC, T0);
        store.apply(JobEvents.attempt(run, JobState.RUNNING, T0.plusSeconds(2)).build());
        assertThat(changed).extracting(JobView::id).containsExactly("job-w1", "job-w2", "job-w1");
        assertThat(changed).extracting(JobView::state).containsExactly(JobState.QUEUED, JobState.QUEUED, JobState.RUNNING);
        assertThat(changed.get(0).queuePosition()).isEqualTo(1); // served: with its queue position
        assertThat(changed.get(1).queuePosition()).isEqualTo(2);

        watch.close();
        watch.close();
        store.apply(JobEvents.attempt(run, JobState.SUCCEEDED, T0.plusSeconds(3)).build());
        assertThat(changed).hasSize(3);
        assertThat(store.viewWatchers()).isZero();
    }

    @Test
    void keepsTheLastEventsOfAJobWithTheirIndexes() {
        store.apply(queued("job-9"));
        for (int i = 1; i <= JobViewStore.MAX_EVENTS_PER_JOB + 4; i++) {
            RunAssignment run = RunAssignment.of("job-9", i, SPEC, T0);
            store.apply(JobEvents.attempt(run, JobState.DISPATCHED, T0.plusSeconds(i)).build());
        }
        List<IndexedEvent> replay = store.subscribe("job-9", e -> { }).orElseThrow().replay();
        assertThat(replay).hasSize(JobViewStore.MAX_EVENTS_PER_JOB);
        assertThat(replay.get(0).index()).isEqualTo(5L);
        assertThat(replay.get(replay.size() - 1).index()).isEqualTo(JobViewStore.MAX_EVENTS_PER_JOB + 4L);
    }

    private static JobEvent queued(String jobId) {
        return JobEvents.job(jobId, JobState.QUEUED, T0).spec(SPEC).submittedAt(T0).build();
    }
}
