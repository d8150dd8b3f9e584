package io.kindling.api.view;

import com.google.common.collect.BoundType;
import com.google.common.collect.TreeMultiset;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The QUEUED jobs of each pool in the order the dispatcher takes them: higher {@link JobSpec#priority()}
 * first (default 0), then earlier submission, then id. {@link JobViewStore} keeps it in step with the
 * views; a job's position is computed when asked for, never stored in its view.
 *
 * <p>Each pool's queue is an AVL tree that keeps the size of every subtree (Guava's
 * {@link TreeMultiset}), so a position is the size of the part before the job: O(log n), as are
 * adding and removing a job.
 */
final class QueueIndex {

    /** A queued job's place in its pool's queue. */
    record Key(String pool, int priority, Instant submittedAt, String id) {
    }

    static final Comparator<Key> ORDER = Comparator.comparingInt(Key::priority).reversed()
            .thenComparing(Key::submittedAt)
            .thenComparing(Key::id);

    private final ConcurrentHashMap<String, TreeMultiset<Key>> pools = new ConcurrentHashMap<>();
    /** The key of every queued job, by id. */
    private final ConcurrentHashMap<String, Key> keys = new ConcurrentHashMap<>();

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
            TreeMultiset<Key> queue = pools.get(before.pool());
            if (queue != null) {
                synchronized (queue) {
                    queue.remove(before);
                }
            }
            keys.remove(before.id(), before);
        }
        if (after != null && !after.equals(before)) {
            TreeMultiset<Key> queue = pools.computeIfAbsent(after.pool(), p -> TreeMultiset.create(ORDER));
            synchronized (queue) {
                queue.setCount(after, 1);
            }
            keys.put(after.id(), after);
        }
    }

    /** The 1-based position of {@code key} in its pool's queue, or null if it is not queued. */
    Integer position(Key key) {
        if (key == null) {
            return null;
        }
        TreeMultiset<Key> queue = pools.get(key.pool());
        if (queue == null) {
            return null;
        }
        synchronized (queue) {
            if (queue.count(key) == 0) {
                return null;
            }
            return queue.headMultiset(key, BoundType.OPEN).size() + 1;
        }
    }

    /** The 1-based position of the job {@code id} in its pool's queue, or null if it is not queued. */
    Integer position(String id) {
        return position(keys.get(id));
    }

    /** Queued jobs in every pool. */
    int size() {
        return pools.values().stream().mapToInt(q -> {
            synchronized (q) {
                return q.size();
            }
        }).sum();
    }
}
