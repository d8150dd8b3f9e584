package io.kindling.api.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import io.kindling.schemas.RunAssignment;
import io.kindling.testsupport.time.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store behind {@link JobViewStore}: checkpoints, restarts, retention, listings from disk. */
class JobStoreDurabilityTest {
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    private static final String TOPIC = "t.jobs.events";

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0.plus(Duration.ofDays(1)));

    @Test
    void aRestartLoadsTheLiveJobsAndResumesFromTheCheckpointedOffsets() {
        ViewConfig config = config(0);
        try (JobViewStore store = new JobViewStore(config, clock)) {
            queue(store, "live-1", "acme", 0, 0);
            queue(store, "live-2", "acme", 5, 1);
            queue(store, "done", "acme", 0, 2);
            finish(store, "done", JobState.SUCCEEDED, 3);
            store.checkpoint(TOPIC, Map.of(0, 42L, 1, 7L));
            assertThat(store.hasUnwritten()).isFalse();
            assertThat(store.liveJobs()).isEqualTo(2);
        }
        try (JobViewStore store = new JobViewStore(config, clock)) {
            assertThat(store.positions(TOPIC)).isEqualTo(Map.of(0, 42L, 1, 7L));
            assertThat(store.liveJobs()).isEqualTo(2);
            // the finished job comes from disk (no cache), with its events for replay
            assertThat(store.get("done").orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(store.subscribe("done", e -> { }).orElseThrow().replay()).extracting(e -> e.event().state())
                    .containsExactly(JobState.QUEUED, JobState.DISPATCHED, JobState.SUCCEEDED);
            // queue positions rebuilt: priority 5 first
            assertThat(store.find("live-2").orElseThrow().queuePosition()).isEqualTo(1);
            assertThat(store.find("live-1").orElseThrow().queuePosition()).isEqualTo(2);
            // an event applied before the restart is still known as applied
            assertThat(store.apply(JobEvents.job("done", JobState.QUEUED, T0).spec(spec("acme", 0))
                    .submittedAt(T0).build())).isFalse();
            assertThat(store.size()).isEqualTo(3);
        }
    }

    @Test
    void aNewJobsProvisionalViewSkipsTheStoreOnlyUntilACheckpointBegins() {
        try (JobViewStore store = new JobViewStore(config(0), clock)) {
            long before = store.newJobMark();
            // the job's events arrive before its submission is acknowledged; it finishes and is written (no cache)
            queue(store, "fast", "acme", 0, 0);
            finish(store, "fast", JobState.SUCCEEDED, 1);
            store.checkpoint(TOPIC, Map.of(0, 3L));

            store.putProvisional(provisional("fast"), spec("acme", 0), before);
            assertThat(store.get("fast").orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(store.hasUnwritten()).isFalse();

            // no checkpoint since the mark: the job is put without reading the store
            long mark = store.newJobMark();
            store.putProvisional(provisional("new"), spec("acme", 0), mark);
            assertThat(store.get("new").orElseThrow().state()).isEqualTo(JobState.QUEUED);
            assertThat(store.find("new").orElseThrow().queuePosition()).isEqualTo(1);
        }
    }

    private static JobView provisional(String id) {
        return new JobView(id, "pi", "default", "acme", JobState.QUEUED, null, null, Map.of("team", "acme"), T0, T0,
                null, null, List.of());
    }

    @Test
    void listsFromTheStoreMergedWithChangesNotWrittenYet() {
        try (JobViewStore store = new JobViewStore(config(0), clock)) {
            for (int i = 0; i < 10; i++) {
                queue(store, "a-" + i, i % 2 == 0 ? "acme" : "umbrella", 0, i);
            }
            finish(store, "a-0", JobState.FAILED, 20);
            store.checkpoint(TOPIC, Map.of(0, 1L));
            // not written yet: a-2 runs, a-4 is cancelled, a-10 is new
            store.apply(JobEvents.attempt(run("a-2", "acme"), JobState.RUNNING, T0.plusSeconds(30)).build());
            store.apply(JobEvents.job("a-4", JobState.CANCELLED, T0.plusSeconds(31)).build());
            queue(store, "a-10", "acme", 0, 10);

            JobFilter acme = JobFilter.ALL.withTenants(Set.of("acme"));
            assertThat(ids(store, acme)).containsExactly("a-10", "a-8", "a-6", "a-4", "a-2", "a-0");
            assertThat(ids(store, new JobFilter(Set.of(JobState.QUEUED), null, Map.of(), null, null)
                    .withTenants(Set.of("acme")))).containsExactly("a-10", "a-8", "a-6");
            assertThat(ids(store, new JobFilter(Set.of(JobState.RUNNING, JobState.FAILED), null, Map.of(), null, null)))
                    .containsExactly("a-2", "a-0");
            assertThat(ids(store, JobFilter.ALL.withTenants(Set.of("acme", "umbrella")))).hasSize(11);
            assertThat(ids(store, new JobFilter(Set.of(), null, Map.of("team", "acme"), null, null))).hasSize(6);

            // pages of 4 across the written and the unwritten jobs
            List<String> seen = new java.util.ArrayList<>();
            JobCursor cursor = null;
            do {
                JobPage page = store.list(acme, cursor, 4);
                page.items().forEach(v -> seen.add(v.id()));
                cursor = page.nextCursor() == null ? null : JobCursor.decode(page.nextCursor());
            } while (cursor != null);
            assertThat(seen).containsExactly("a-10", "a-8", "a-6", "a-4", "a-2", "a-0");
            // one queue per pool, every tenant's jobs in it: a-1, a-3, a-5, a-6, a-7, a-8, a-9, then a-10
            assertThat(store.list(acme, null, 10).items().get(0).queuePosition()).isEqualTo(8);
        }
    }

    @Test
    void aJobFinishedLongerAgoThanTheRetentionIsForgottenEverywhere() {
        try (JobViewStore store = new JobViewStore(config(100), clock)) {
            queue(store, "old", "acme", 0, 0);
            finish(store, "old", JobState.SUCCEEDED, 1);
            queue(store, "recent", "acme", 0, 2);
            clock.set(T0.plus(Duration.ofDays(20)));
            finish(store, "recent", JobState.SUCCEEDED, 0);
            queue(store, "waiting", "acme", 0, 3);
            store.checkpoint(TOPIC, Map.of(0, 9L));

            clock.set(T0.plus(Duration.ofDays(32)));
            assertThat(store.get("old")).isEmpty();
            assertThat(store.spec("old")).isEmpty();
            assertThat(store.subscribe("old", e -> { })).isEmpty();
            assertThat(ids(store, JobFilter.ALL)).containsExactly("waiting", "recent");
            assertThat(store.expire()).isEqualTo(1);
            // a live job is never forgotten, however old
            clock.set(T0.plus(Duration.ofDays(400)));
            assertThat(store.expire()).isEqualTo(1);
            assertThat(ids(store, JobFilter.ALL)).containsExactly("waiting");
            assertThat(store.get("waiting")).isPresent();
            assertThat(store.size()).isEqualTo(1);
        }
    }

    @Test
    void aRecreatedTopicClearsTheStore() {
        try (JobViewStore store = new JobViewStore(config(10), clock)) {
            assertThat(store.positions(TOPIC, "id-1")).isEmpty();
            queue(store, "j", "acme", 0, 0);
            store.checkpoint(TOPIC, Map.of(0, 1L));
            assertThat(store.positions(TOPIC, "id-1")).isEqualTo(Map.of(0, 1L));

            assertThat(store.positions(TOPIC, "id-2")).isEmpty();
            assertThat(store.get("j")).isEmpty();
            assertThat(store.find("j")).isEmpty();
        }
    }

    @Test
    void aSecondStoreOnTheSameFileFallsBackToATemporaryOne() {
        ViewConfig config = config(10);
        try (JobViewStore first = new JobViewStore(config, clock); JobViewStore second = new JobViewStore(config, clock)) {
            queue(first, "j", "acme", 0, 0);
            first.checkpoint(TOPIC, Map.of(0, 1L));
            assertThat(second.positions(TOPIC)).isEmpty();
            assertThat(second.get("j")).isEmpty();
        }
    }

    @Test
    void queuePositionsStayRightInALongQueue() {
        try (JobViewStore store = new JobViewStore(config(10), clock)) {
            int n = 20_000;
            for (int i = 0; i < n; i++) {
                queue(store, String.format("q-%05d", i), "acme", 0, i);
            }
            store.checkpoint(TOPIC, Map.of(0, (long) n));
            assertThat(store.find("q-00000").orElseThrow().queuePosition()).isEqualTo(1);
            assertThat(store.find("q-12345").orElseThrow().queuePosition()).isEqualTo(12_346);
            store.apply(JobEvents.job("q-00000", JobState.CANCELLED, T0.plusSeconds(n)).build());
            assertThat(store.find("q-12345").orElseThrow().queuePosition()).isEqualTo(12_345);
            long start = System.nanoTime();
            for (int i = 0; i < 10_000; i++) {
                store.find("q-19999");
            }
            // O(log n) each: 10,000 lookups of the last place in a 20,000-job queue take milliseconds, not seconds
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        }
    }

    private ViewConfig config(int cached) {
        return new ViewConfig(dir.resolve("views.db"), cached, Duration.ofDays(30), 50);
    }

    private static List<String> ids(JobViewStore store, JobFilter filter) {
        return store.list(filter, null, 100).items().stream().map(JobView::id).toList();
    }

    private void queue(JobViewStore store, String id, String tenant, int priority, int second) {
        Instant at = T0.plusSeconds(second);
        store.apply(JobEvents.job(id, JobState.QUEUED, at).spec(spec(tenant, priority)).submittedAt(at).build());
    }

    private void finish(JobViewStore store, String id, JobState end, int second) {
        RunAssignment run = run(id, "acme");
        store.apply(JobEvents.attempt(run, JobState.DISPATCHED, clock.instant().plusSeconds(second)).build());
        JobEvent last = JobEvents.attempt(run, end, clock.instant().plusSeconds(second + 1)).build();
        store.apply(last);
    }

    private static RunAssignment run(String id, String tenant) {
        return RunAssignment.of(id, 1, spec(tenant, 0), T0);
    }

    private static JobSpec spec(String tenant, int priority) {
        return new JobSpec("pi", "default", new Application(ApplicationType.PYTHON, "/app/pi.py", null, List.of()), null,
                null, Map.of("team", tenant), null, null, null, null, null, null, null, priority, null).withTenant(tenant);
    }
}
