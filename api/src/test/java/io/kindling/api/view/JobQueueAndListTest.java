package io.kindling.api.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import io.kindling.schemas.RunAssignment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Queue positions and listings of {@link JobViewStore}. */
class JobQueueAndListTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final JobViewStore store = new JobViewStore();

    @Test
    void queuePositionIsByPriorityThenSubmissionTimeWithinThePool() {
        queue("low-early", "default", null, 0);
        queue("high-late", "default", 5, 10);
        queue("low-late", "default", 0, 20);
        queue("high-early", "default", 5, 5);
        queue("negative", "default", -1, 1);
        queue("other-pool", "gpu", 0, 30);

        assertThat(position("high-early")).isEqualTo(1);
        assertThat(position("high-late")).isEqualTo(2);
        assertThat(position("low-early")).isEqualTo(3);
        assertThat(position("low-late")).isEqualTo(4);
        assertThat(position("negative")).isEqualTo(5);
        assertThat(position("other-pool")).isEqualTo(1);
    }

    @Test
    void aJobThatLeavesTheQueueHasNoPositionAndTheOthersMoveUp() {
        queue("a", "default", 0, 0);
        queue("b", "default", 0, 1);
        queue("c", "default", 0, 2);
        store.apply(JobEvents.attempt(run("a"), JobState.DISPATCHED, T0.plusSeconds(60)).build());
        store.apply(JobEvents.job("b", JobState.CANCELLED, T0.plusSeconds(61)).build());

        assertThat(store.find("a").orElseThrow().queuePosition()).isNull();
        assertThat(store.find("b").orElseThrow().queuePosition()).isNull();
        assertThat(position("c")).isEqualTo(1);
        // never stored in the view itself
        assertThat(store.get("c").orElseThrow().queuePosition()).isNull();
    }

    @Test
    void aProvisionalViewIsQueuedWithTheSpecsPriority() {
        queue("old", "default", 0, 0);
        JobSpec urgent = spec("default", 9, Map.of());
        store.putProvisional(new JobView("new", "pi", "default", "acme", JobState.QUEUED, null, null, null,
                T0.plusSeconds(100), T0.plusSeconds(100), null, null, List.of()), urgent);

        assertThat(position("new")).isEqualTo(1);
        assertThat(position("old")).isEqualTo(2);
        assertThat(store.spec("new")).contains(urgent);
        // the QUEUED event lands on top: same place
        store.apply(JobEvents.job("new", JobState.QUEUED, T0.plusSeconds(101)).spec(urgent)
                .submittedAt(T0.plusSeconds(100)).build());
        assertThat(position("new")).isEqualTo(1);
    }

    @Test
    void listsNewestFirstAPageAtATime() {
        for (int i = 0; i < 7; i++) {
            queue("job-" + i, "default", 0, i);
        }
        List<String> seen = new ArrayList<>();
        JobCursor cursor = null;
        int pages = 0;
        do {
            JobPage page = store.list(JobFilter.ALL, cursor, 3);
            page.items().forEach(v -> seen.add(v.id()));
            cursor = page.nextCursor() == null ? null : JobCursor.decode(page.nextCursor());
            pages++;
        } while (cursor != null);
        assertThat(seen).containsExactly("job-6", "job-5", "job-4", "job-3", "job-2", "job-1", "job-0");
        assertThat(pages).isEqualTo(3);
        // a page that ends exactly at the last job says so
        assertThat(store.list(JobFilter.ALL, null, 7).nextCursor()).isNull();
        assertThat(store.list(JobFilter.ALL, null, 6).nextCursor()).isNotNull();
    }

    @Test
    void listsOnlyWhatMatchesEveryFilter() {
        queue("a", "default", 0, 0, Map.of("team", "data", "env", "prod"));
        queue("b", "gpu", 0, 1, Map.of("team", "data"));
        queue("c", "default", 0, 2, Map.of("team", "web"));
        queue("d", "default", 0, 3, Map.of("team", "data"));
        store.apply(JobEvents.attempt(run("d"), JobState.RUNNING, T0.plusSeconds(60)).build());

        assertThat(ids(new JobFilter(Set.of(), null, Map.of("team", "data"), null, null))).containsExactly("d", "b", "a");
        assertThat(ids(new JobFilter(Set.of(), "default", Map.of("team", "data"), null, null))).containsExactly("d", "a");
        assertThat(ids(new JobFilter(Set.of(), null, Map.of("team", "data", "env", "prod"), null, null)))
                .containsExactly("a");
        assertThat(ids(new JobFilter(Set.of(JobState.QUEUED), null, Map.of(), null, null))).containsExactly("c", "b", "a");
        assertThat(ids(new JobFilter(Set.of(JobState.RUNNING, JobState.FAILED), null, Map.of(), null, null)))
                .containsExactly("d");
        assertThat(ids(new JobFilter(Set.of(), null, Map.of(), T0, T0.plusSeconds(3)))).containsExactly("c", "b");
        JobPage queued = store.list(new JobFilter(Set.of(JobState.QUEUED), "default", Map.of(), null, null), null, 10);
        assertThat(queued.items()).extracting(JobView::queuePosition).containsExactly(2, 1);
    }

    private List<String> ids(JobFilter filter) {
        return store.list(filter, null, 100).items().stream().map(JobView::id).toList();
    }

    private Integer position(String id) {
        return store.find(id).orElseThrow().queuePosition();
    }

    private void queue(String id, String pool, Integer priority, int second) {
        queue(id, pool, priority, second, Map.of());
    }

    private void queue(String id, String pool, Integer priority, int second, Map<String, String> labels) {
        Instant at = T0.plusSeconds(second);
        store.apply(JobEvents.job(id, JobState.QUEUED, at).spec(spec(pool, priority, labels)).submittedAt(at).build());
    }

    private static RunAssignment run(String id) {
        return RunAssignment.of(id, 1, spec("default", null, Map.of()), T0);
    }

    private static JobSpec spec(String pool, Integer priority, Map<String, String> labels) {
        return new JobSpec("pi", pool, new Application(ApplicationType.PYTHON, "/app/pi.py", null, List.of()), null, null,
                labels, null, null, null, null, null, null, null, priority, null);
    }
}
