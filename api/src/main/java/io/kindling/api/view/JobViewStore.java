package io.kindling.api.view;

import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobView;
import io.kindling.schemas.JobViews;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The api's view of every job, folded from the events topic with {@link JobViews#apply}. Events
 * are applied idempotently: each job remembers the ids of the events already applied to it
 * (event ids are deterministic, so a transition emitted twice has one id). Reads never block.
 */
public final class JobViewStore {

    /** A job's view and the events it reflects. */
    private record Entry(JobView view, Set<String> applied) {
    }

    private final ConcurrentHashMap<String, Entry> jobs = new ConcurrentHashMap<>();

    public Optional<JobView> get(String jobId) {
        Entry entry = jobs.get(jobId);
        return entry == null ? Optional.empty() : Optional.of(entry.view());
    }

    /**
     * Applies {@code event} to its job's view.
     *
     * @return false if the event was already applied (and so was skipped)
     */
    public boolean apply(JobEvent event) {
        Objects.requireNonNull(event.jobId(), "event.jobId");
        Objects.requireNonNull(event.eventId(), "event.eventId");
        boolean[] applied = {false};
        jobs.compute(event.jobId(), (id, entry) -> {
            if (entry != null && entry.applied().contains(event.eventId())) {
                return entry;
            }
            JobView view = JobViews.apply(Optional.ofNullable(entry).map(Entry::view), event);
            Set<String> ids = new HashSet<>(entry == null ? Set.of() : entry.applied());
            ids.add(event.eventId());
            applied[0] = true;
            return new Entry(view, Set.copyOf(ids));
        });
        return applied[0];
    }

    /**
     * Records the view of a job the api has just submitted, so that a GET right after the submit
     * finds it before the job's first event arrives. Does nothing if the job already has a view;
     * the job's events are applied on top of it.
     */
    public void putProvisional(JobView view) {
        jobs.putIfAbsent(view.id(), new Entry(view, Set.of()));
    }

    public int size() {
        return jobs.size();
    }
}
