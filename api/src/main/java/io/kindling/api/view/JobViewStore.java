package io.kindling.api.view;

import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobView;
import io.kindling.schemas.JobViews;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The api's view of every job, folded from the events topic with {@link JobViews#apply}. Events
 * are applied idempotently: each job remembers the ids of the events already applied to it
 * (event ids are deterministic, so a transition emitted twice has one id). Reads never block.
 *
 * <p>Beside its view, each job keeps the spec it was submitted with (from its QUEUED event, or
 * from the api's own submission: idempotent submissions compare against it) and its last
 * {@value #MAX_EVENTS_PER_JOB} events, numbered from 0, which watchers replay before they receive
 * live ones. Listings walk an index ordered newest first; queue positions come from a
 * {@link QueueIndex}. Only the events follower applies events; handlers may add provisional views.
 */
public final class JobViewStore {
    private static final Logger LOG = LoggerFactory.getLogger(JobViewStore.class);
    /** Events kept per job for replay; older ones are dropped (their indexes are not reused). */
    public static final int MAX_EVENTS_PER_JOB = 1000;

    /**
     * A job's view, its spec (null if no event carried it), the ids of the events applied, and its
     * last events: {@code events.get(i)} has index {@code firstIndex + i}.
     */
    private record Entry(JobView view, JobSpec spec, Set<String> applied, List<JobEvent> events, long firstIndex) {
        long nextIndex() {
            return firstIndex + events.size();
        }
    }

    private final ConcurrentHashMap<String, Entry> jobs = new ConcurrentHashMap<>();
    private final NavigableSet<JobCursor> newestFirst = new ConcurrentSkipListSet<>(JobCursor.NEWEST_FIRST);
    private final QueueIndex queues = new QueueIndex();
    private final ConcurrentHashMap<String, List<Consumer<IndexedEvent>>> watchers = new ConcurrentHashMap<>();
    private volatile boolean caughtUp;

    /** Called once every event that was on the topic at start-up has been applied. */
    public void markCaughtUp() {
        caughtUp = true;
    }

    /**
     * True once the store holds every event that was on the topic at start-up: before that, a job
     * it does not know may still exist.
     */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** The job's view as folded (without a queue position). */
    public Optional<JobView> get(String jobId) {
        Entry entry = jobs.get(jobId);
        return entry == null ? Optional.empty() : Optional.of(entry.view());
    }

    /** The job's view as served: with its queue position when it is queued. */
    public Optional<JobView> find(String jobId) {
        Entry entry = jobs.get(jobId);
        return entry == null ? Optional.empty() : Optional.of(served(entry));
    }

    /** The spec the job was submitted with, if known. */
    public Optional<JobSpec> spec(String jobId) {
        Entry entry = jobs.get(jobId);
        return entry == null ? Optional.empty() : Optional.ofNullable(entry.spec());
    }

    /**
     * Applies {@code event} to its job's view and hands it to the job's watchers.
     *
     * @return false if the event was already applied (and so was skipped)
     */
    public boolean apply(JobEvent event) {
        Objects.requireNonNull(event.jobId(), "event.jobId");
        Objects.requireNonNull(event.eventId(), "event.eventId");
        IndexedEvent[] applied = {null};
        jobs.compute(event.jobId(), (id, entry) -> {
            if (entry != null && entry.applied().contains(event.eventId())) {
                return entry;
            }
            JobView view = JobViews.apply(Optional.ofNullable(entry).map(Entry::view), event);
            JobSpec spec = entry != null && entry.spec() != null ? entry.spec() : event.spec();
            Set<String> ids = new HashSet<>(entry == null ? Set.of() : entry.applied());
            ids.add(event.eventId());
            List<JobEvent> events = new ArrayList<>(entry == null ? List.of() : entry.events());
            long firstIndex = entry == null ? 0 : entry.firstIndex();
            applied[0] = new IndexedEvent(firstIndex + events.size(), event);
            events.add(event);
            while (events.size() > MAX_EVENTS_PER_JOB) {
                events.remove(0);
                firstIndex++;
            }
            Entry next = new Entry(view, spec, Set.copyOf(ids), List.copyOf(events), firstIndex);
            indexed(entry, next);
            return next;
        });
        if (applied[0] == null) {
            return false;
        }
        notifyWatchers(event.jobId(), applied[0]);
        return true;
    }

    /**
     * Records the view of a job the api has just submitted, and its spec, so that a GET (or an
     * idempotent resubmission) right after the submit finds it before the job's first event
     * arrives. Does nothing if the job already has a view; the job's events are applied on top.
     */
    public void putProvisional(JobView view, JobSpec spec) {
        jobs.computeIfAbsent(view.id(), id -> {
            Entry entry = new Entry(view, spec, Set.of(), List.of(), 0);
            indexed(null, entry);
            return entry;
        });
    }

    /** {@link #putProvisional(JobView, JobSpec)} without a spec. */
    public void putProvisional(JobView view) {
        putProvisional(view, null);
    }

    /**
     * Up to {@code limit} views that match {@code filter}, newest first, starting after
     * {@code after} (null: from the newest), with their queue positions.
     */
    public JobPage list(JobFilter filter, JobCursor after, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        NavigableSet<JobCursor> keys = after == null ? newestFirst : newestFirst.tailSet(after, false);
        List<JobView> items = new ArrayList<>(Math.min(limit, 64));
        for (JobCursor key : keys) {
            Entry entry = jobs.get(key.id());
            if (entry == null || !filter.matches(entry.view())) {
                continue;
            }
            if (items.size() == limit) {
                JobView last = items.get(items.size() - 1);
                return new JobPage(items, new JobCursor(last.submittedAt(), last.id()).encode());
            }
            items.add(served(entry));
        }
        return new JobPage(items, null);
    }

    /**
     * Watches a job's events: the subscription holds those it has now, and {@code live} receives
     * each one applied from now on, on the thread that applies it (the events follower: hand it
     * over, never block). Empty if the job is unknown.
     */
    public Optional<EventSubscription> subscribe(String jobId, Consumer<IndexedEvent> live) {
        // listen first, then copy: an event applied in between reaches both, and watchers skip repeats
        watchers.compute(jobId, (id, current) -> {
            List<Consumer<IndexedEvent>> next = current != null ? current : new CopyOnWriteArrayList<>();
            next.add(live);
            return next;
        });
        Runnable unsubscribe = () -> watchers.computeIfPresent(jobId, (id, current) -> {
            current.remove(live);
            return current.isEmpty() ? null : current;
        });
        Entry entry = jobs.get(jobId);
        if (entry == null) {
            unsubscribe.run();
            return Optional.empty();
        }
        List<IndexedEvent> replay = new ArrayList<>(entry.events().size());
        for (int i = 0; i < entry.events().size(); i++) {
            replay.add(new IndexedEvent(entry.firstIndex() + i, entry.events().get(i)));
        }
        return Optional.of(new EventSubscription(replay, unsubscribe));
    }

    /** Jobs being watched right now (for tests and metrics). */
    public int watchedJobs() {
        return watchers.size();
    }

    public int size() {
        return jobs.size();
    }

    private JobView served(Entry entry) {
        Integer position = queues.position(QueueIndex.key(entry.view(), entry.spec()));
        return position == null ? entry.view() : entry.view().withQueuePosition(position);
    }

    /** Keeps the listing and queue indexes in step with a job's entry (called under the job's lock). */
    private void indexed(Entry before, Entry after) {
        if (before == null && after.view().submittedAt() != null) {
            newestFirst.add(new JobCursor(after.view().submittedAt(), after.view().id()));
        }
        queues.update(before == null ? null : QueueIndex.key(before.view(), before.spec()),
                QueueIndex.key(after.view(), after.spec()));
    }

    private void notifyWatchers(String jobId, IndexedEvent event) {
        List<Consumer<IndexedEvent>> list = watchers.get(jobId);
        if (list == null) {
            return;
        }
        for (Consumer<IndexedEvent> watcher : list) {
            try {
                watcher.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("a watcher of job {} failed on event {}", jobId, event.event().eventId(), e);
            }
        }
    }
}
