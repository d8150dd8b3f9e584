package io.kindling.api.view;

import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import java.time.Instant;
import java.util.Comparator;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The QUEUED jobs of each pool in the order the dispatcher takes them: higher {@link JobSpec#priority()}
 * first (default 0), then earlier submission, then id. {@link JobViewStore} keeps it in step with the
 * views; a job's position is computed when asked for, never stored in its view.
 */
final class QueueIndex {

    /** A queued job's place in its pool's queue. */
    record Key(String pool, int priority, Instant submittedAt, String id) {
    }

    static final Comparator<Key> ORDER = Comparator.comparingInt(Key::priority).reversed()
            .thenComparing(Key::submittedAt)
            .thenComparing(Key::id);

    private final ConcurrentHashMap<String, NavigableSet<Key>> pools = new ConcurrentHashMap<>();

    /** The job's key if it is queued, else null. */
    static Key key(JobView view, JobSpec spec) {
        if (view == null || view.state() != JobState.QUEUED) {
            return null;
        }
        int priority = spec == null || spec.priority() == null ? 0 : spec.priority();
        String pool = view.pool() != null ? view.pool() : JobSpec.DEFAULT_POOL;
        Instant at = view.submittedAt() != null ? view.submittedAt() : Instant.EPOCH;
        return new Key(pool, priority, at, view.id());
    }

    /** Moves a job from {@code before} to {@code after}; either may be null (not queued). */
    void update(Key before, Key after) {
        if (before != null && !before.equals(after)) {
            NavigableSet<Key> queue = pools.get(before.pool());
            if (queue != null) {
                queue.remove(before);
            }
        }
        if (after != null) {
            pools.computeIfAbsent(after.pool(), p -> new ConcurrentSkipListSet<>(ORDER)).add(after);
        }
    }

    /** The 1-based position of {@code key} in its pool's queue, or null if it is not queued. */
    Integer position(Key key) {
        if (key == null) {
            return null;
        }
        NavigableSet<Key> queue = pools.get(key.pool());
        if (queue == null || !queue.contains(key)) {
            return null;
        }
        return queue.headSet(key, false).size() + 1;
    }
}
