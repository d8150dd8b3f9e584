package io.kindling.api.view;

import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import io.kindling.schemas.JobViews;
import io.kindling.schemas.JobWaiting;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The api's view of every job it remembers, folded from the events topic with {@link JobViews#apply}.
 * At start only the queue keys of the queued jobs are loaded (no job is decoded); a job is read
 * from the store when an event or a request needs it.
 * Events are applied idempotently: each job remembers the ids of the events already applied to it
 * (event ids are deterministic, so a transition emitted twice has one id).
 *
 * <p>Memory is bounded by configuration ({@link ViewConfig}): the live jobs that events touched
 * since the start are held in memory, with the jobs changed since the last {@link #checkpoint}; finished jobs are in a durable
 * store ({@link JobDb}, SQLite) with up to {@link ViewConfig#cachedJobs()} of them cached. A
 * checkpoint writes the changed jobs and the events offsets they bring the store to in one
 * transaction, so a restart loads the live jobs and reads only the tail of the topic.
 *
 * <p>Beside its view, each job keeps the spec it was submitted with (from its QUEUED event, or
 * from the api's own submission: idempotent submissions compare against it) and its last
 * {@link ViewConfig#eventsPerJob()} events, numbered from 0, which watchers replay before they
 * receive live ones. Listings are index range reads in the store merged with the changes not yet
 * written; queue positions come from a {@link QueueIndex} (O(log n)). A job that finished more
 * than {@link ViewConfig#jobRetention()} ago is forgotten: no view, no listing, and its
 * idempotency key names a new job. Only the events follower applies events and checkpoints;
 * handlers may add provisional views. Reads never wait for the follower.
 */
public final class JobViewStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobViewStore.class);
    /** Events kept per job for replay by default; older ones are dropped (their indexes are not reused). */
    public static final int MAX_EVENTS_PER_JOB = 200;
    private static final int PURGE_BATCH = 5_000;
    /** The states of a job that no worker has taken yet: what {@code waiting} is served for. */
    private static final Set<JobState> NOT_TAKEN = Set.of(JobState.QUEUED, JobState.DISPATCHED);

    private final ViewConfig config;
    private final Clock clock;
    private final Function<String, Optional<JobWaiting>> waiting;
    private final JobDb db;
    /** Live jobs, and jobs changed since the last checkpoint; compute() on it is the per-job lock. */
    private final ConcurrentHashMap<String, JobEntry> memory = new ConcurrentHashMap<>();
    /** The changes the next checkpoint writes (the latest entry of each job). */
    private final ConcurrentHashMap<String, JobEntry> dirty = new ConcurrentHashMap<>();
    /** Finished jobs recently read or written, least recently used first. */
    private final Map<String, JobEntry> cache;
    private final QueueIndex queues = new QueueIndex();
    private final ConcurrentHashMap<String, List<Consumer<IndexedEvent>>> watchers = new ConcurrentHashMap<>();
    /** Watchers of every job's view (list-wide streams): each gets every changed view, and filters it. */
    private final List<Consumer<JobView>> viewWatchers = new CopyOnWriteArrayList<>();
    /** Checkpoints begun (and clears): while it has not moved, a job first published since is in memory or nowhere. */
    private final AtomicLong checkpointsBegun = new AtomicLong();
    private volatile boolean caughtUp;

    /** A store in a temporary file with the default limits (tests). */
    public JobViewStore() {
        this(ViewConfig.temporary(), Clock.systemUTC());
    }

    /** Opens (or creates) the store and loads its live jobs into memory; its jobs never say what they wait for. */
    public JobViewStore(ViewConfig config, Clock clock) {
        this(config, clock, pool -> Optional.empty());
    }

    /**
     * As {@link #JobViewStore(ViewConfig, Clock)}; a job that no worker has taken yet (QUEUED,
     * DISPATCHED) is served with what {@code waiting} says of its pool.
     */
    public JobViewStore(ViewConfig config, Clock clock, Function<String, Optional<JobWaiting>> waiting) {
        this.config = config;
        this.clock = clock;
        this.waiting = waiting;
        this.db = new JobDb(config.storeFile(), config.cachedJobs());
        int capacity = config.cachedJobs();
        this.cache = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, JobEntry> eldest) {
                return size() > capacity;
            }
        });
        List<QueueIndex.Key> queued = db.loadQueued();
        queued.forEach(key -> queues.update(null, key));
        LOG.info("job store {}: {} live jobs loaded ({} queued)", db.file(), db.countLive(), queued.size());
    }

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
        return entry(jobId).map(JobEntry::view);
    }

    /** The job's view as served: with its queue position when it is queued. */
    public Optional<JobView> find(String jobId) {
        return entry(jobId).map(e -> served(e.view()));
    }

    /** The spec the job was submitted with, if known. */
    public Optional<JobSpec> spec(String jobId) {
        return entry(jobId).map(JobEntry::spec);
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
        memory.compute(event.jobId(), (id, current) -> {
            JobEntry entry = current != null ? current : stored(id).orElse(null);
            if (entry != null && entry.applied().contains(event.eventId())) {
                return current;
            }
            JobView view = JobViews.apply(Optional.ofNullable(entry).map(JobEntry::view), event);
            JobSpec spec = entry != null && entry.spec() != null ? entry.spec() : event.spec();
            Set<String> ids = new HashSet<>(entry == null ? Set.of() : entry.applied());
            ids.add(event.eventId());
            List<JobEvent> events = new ArrayList<>(entry == null ? List.of() : entry.events());
            long firstIndex = entry == null ? 0 : entry.firstIndex();
            applied[0] = new IndexedEvent(firstIndex + events.size(), event);
            events.add(event);
            int drop = events.size() - config.eventsPerJob();
            if (drop > 0) {
                events.subList(0, drop).clear();
                firstIndex += drop;
            }
            JobEntry next = new JobEntry(view, spec, ids, events, firstIndex);
            dirty.put(id, next);
            indexed(entry, next);
            return next;
        });
        if (applied[0] == null) {
            return false;
        }
        notifyWatchers(event.jobId(), applied[0]);
        notifyViewWatchers(event.jobId());
        return true;
    }

    /**
     * Records the view of a job the api has just submitted, and its spec, so that a GET (or an
     * idempotent resubmission) right after the submit finds it before the job's first event
     * arrives. Does nothing if the job already has a view; the job's events are applied on top.
     */
    public void putProvisional(JobView view, JobSpec spec) {
        putProvisional(view, spec, NOT_NEW);
    }

    /** For {@link #putProvisional(JobView, JobSpec, long)}: the job's id may have been used before. */
    public static final long NOT_NEW = -1;

    /**
     * Taken before a job with a new id (one never used before) is published, for
     * {@link #putProvisional(JobView, JobSpec, long)}.
     */
    public long newJobMark() {
        return checkpointsBegun.get();
    }

    /**
     * {@link #putProvisional(JobView, JobSpec)} of a job with a new id published after
     * {@code newJobMark} was taken ({@link #newJobMark()}; {@link #NOT_NEW} if the id may be an
     * older job's, e.g. an idempotency key's). Until a checkpoint begins, such a job's events are
     * in memory (a checkpoint is what moves a job out of it), so the store is not read.
     */
    public void putProvisional(JobView view, JobSpec spec, long newJobMark) {
        memory.compute(view.id(), (id, current) -> {
            // read under the job's lock: a checkpoint that removed the job from memory had begun before
            boolean maybeStored = newJobMark == NOT_NEW || newJobMark != checkpointsBegun.get();
            if (current != null || (maybeStored && stored(id).isPresent())) {
                return current;
            }
            JobEntry entry = new JobEntry(view, spec, Set.of(), List.of(), 0);
            dirty.put(id, entry);
            indexed(null, entry);
            return entry;
        });
        notifyViewWatchers(view.id());
    }

    /** {@link #putProvisional(JobView, JobSpec)} without a spec. */
    public void putProvisional(JobView view) {
        putProvisional(view, null);
    }

    /**
     * Up to {@code limit} views that match {@code filter}, newest first, starting after
     * {@code after} (null: from the newest), with their queue positions. Each (tenant, state)
     * the filter names is one index range read in the store, merged with the changes not yet
     * written.
     */
    public JobPage list(JobFilter filter, JobCursor after, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        Instant since = retentionCutoff();
        int wanted = limit == Integer.MAX_VALUE ? limit : limit + 1;
        Map<String, JobView> found = new HashMap<>();
        for (JobEntry entry : dirty.values()) {
            JobView view = entry.view();
            if (!expired(entry, since) && view.submittedAt() != null && filter.matches(view)
                    && (after == null || JobCursor.NEWEST_FIRST.compare(cursor(view), after) > 0)) {
                found.put(view.id(), view);
            }
        }
        // null: every tenant (one read over all); an empty set: none
        List<String> tenants = filter.tenants() == null ? Collections.singletonList(null)
                : new ArrayList<>(filter.tenants());
        List<JobState> states = filter.states().isEmpty() ? Collections.singletonList(null)
                : new ArrayList<>(filter.states());
        for (String tenant : tenants) {
            for (JobState state : states) {
                collect(filter, tenant, state, after, since, wanted, found);
            }
        }
        List<JobView> sorted = new ArrayList<>(found.values());
        sorted.sort((a, b) -> JobCursor.NEWEST_FIRST.compare(cursor(a), cursor(b)));
        List<JobView> items = new ArrayList<>(Math.min(limit, sorted.size()));
        for (JobView view : sorted.subList(0, Math.min(limit, sorted.size()))) {
            JobEntry live = memory.get(view.id());
            items.add(served(live != null ? live.view() : view));
        }
        if (sorted.size() > limit) {
            JobView last = items.get(items.size() - 1);
            return new JobPage(items, cursor(last).encode());
        }
        return new JobPage(items, null);
    }

    /** Adds to {@code found} up to {@code wanted} stored views of one (tenant, state) that no unwritten change shadows. */
    private void collect(JobFilter filter, String tenant, JobState state, JobCursor after, Instant since, int wanted,
            Map<String, JobView> found) {
        JobCursor from = after;
        int taken = 0;
        while (taken < wanted) {
            List<JobView> page = db.page(filter, tenant, state, from, since, wanted);
            for (JobView view : page) {
                if (!dirty.containsKey(view.id()) && found.putIfAbsent(view.id(), view) == null) {
                    taken++;
                }
            }
            if (page.size() < wanted) {
                return;
            }
            from = cursor(page.get(page.size() - 1));
        }
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
        Optional<JobEntry> found = entry(jobId);
        if (found.isEmpty()) {
            unsubscribe.run();
            return Optional.empty();
        }
        JobEntry entry = found.get();
        List<IndexedEvent> replay = new ArrayList<>(entry.events().size());
        for (int i = 0; i < entry.events().size(); i++) {
            replay.add(new IndexedEvent(entry.firstIndex() + i, entry.events().get(i)));
        }
        return Optional.of(new EventSubscription(replay, unsubscribe));
    }

    /**
     * Watches every job's view: {@code live} receives the view as served (with its queue position)
     * of each job an event changes (or a submission adds), from now on, on the thread that changed
     * it (the events follower: hand it over, never block). The watcher filters what it wants; no
     * listing is read. Only the changed job is sent: another job's queue position moving because
     * this one left the queue is not. Closing the result stops it (safe to call twice).
     */
    public ViewWatch watchViews(Consumer<JobView> live) {
        viewWatchers.add(live);
        return () -> viewWatchers.remove(live);
    }

    /** A hold on {@link #watchViews}: {@link #close()} stops it. */
    public interface ViewWatch extends AutoCloseable {
        @Override
        void close();
    }

    /** Open list-wide view watchers (for tests and metrics). */
    public int viewWatchers() {
        return viewWatchers.size();
    }

    /** Jobs being watched right now (for tests and metrics). */
    public int watchedJobs() {
        return watchers.size();
    }

    /** Jobs remembered, finished ones included (counts the store: for logs and tests, not for requests). */
    public long size() {
        long unwritten = dirty.keySet().stream().filter(id -> db.load(id).isEmpty()).count();
        return db.count() + unwritten;
    }

    /** True if some change is not written to the store yet. */
    public boolean hasUnwritten() {
        return !dirty.isEmpty();
    }

    /** Live jobs as of the last checkpoint (counts the store: for logs and tests). */
    public long liveJobs() {
        return db.countLive();
    }

    /** The next offset of each events partition whose events the store holds (empty: read from the beginning). */
    public Map<Integer, Long> positions(String topic) {
        return db.positions(topic);
    }

    /**
     * The same, after checking that the store folded this very topic ({@code topicId}, Kafka's
     * id of it): if the topic was recreated since, the store is cleared and the result empty.
     */
    public Map<Integer, Long> positions(String topic, String topicId) {
        if (topicId != null && !db.sameTopic(topic, topicId)) {
            LOG.warn("{} was recreated (its id is now {}): clearing the job store and reading it from the beginning",
                    topic, topicId);
            clear();
            db.sameTopic(topic, topicId);
        }
        return db.positions(topic);
    }

    /**
     * Writes every change since the last checkpoint, and {@code positions} (the next offset of each
     * partition of {@code topic}, covering every event applied so far), in one transaction; the
     * finished jobs written then leave memory for the cache. Called by the events follower.
     */
    public void checkpoint(String topic, Map<Integer, Long> positions) {
        checkpointsBegun.incrementAndGet();
        Instant since = retentionCutoff();
        List<JobEntry> batch = new ArrayList<>(dirty.size());
        List<JobEntry> written = new ArrayList<>(dirty.size());
        for (JobEntry entry : dirty.values()) {
            written.add(entry);
            if (!expired(entry, since)) {
                batch.add(entry);
            }
        }
        db.write(batch, topic, positions);
        for (JobEntry entry : written) {
            String id = entry.view().id();
            dirty.remove(id, entry);
            if (entry.finished() && memory.remove(id, entry) && !expired(entry, since)) {
                cache.put(id, entry);
            }
        }
    }

    /** Forgets every job that finished more than the retention ago (in the store and in memory); returns how many. */
    public int expire() {
        Instant since = retentionCutoff();
        int purged = 0;
        int batch;
        do {
            batch = db.purge(since, PURGE_BATCH);
            purged += batch;
        } while (batch == PURGE_BATCH);
        synchronized (cache) {
            cache.values().removeIf(e -> expired(e, since));
        }
        if (purged > 0) {
            LOG.info("forgot {} jobs that finished before {}", purged, since);
        }
        return purged;
    }

    /** Forgets everything, offsets included (the events topic was recreated); live jobs too. */
    public void clear() {
        checkpointsBegun.incrementAndGet();
        db.clear();
        for (String id : new ArrayList<>(memory.keySet())) {
            memory.computeIfPresent(id, (k, entry) -> {
                indexed(entry, null);
                return null;
            });
        }
        dirty.clear();
        cache.clear();
    }

    @Override
    public void close() {
        db.close();
    }

    /** The job's entry wherever it is, unless it finished more than the retention ago. */
    private Optional<JobEntry> entry(String jobId) {
        JobEntry entry = memory.get(jobId);
        Optional<JobEntry> found = entry != null ? Optional.of(entry) : stored(jobId);
        return found.filter(e -> !expired(e, retentionCutoff()));
    }

    /** A job that is not in memory: from the cache, else the store (then cached). */
    private Optional<JobEntry> stored(String jobId) {
        JobEntry cached = cache.get(jobId);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<JobEntry> loaded = db.load(jobId);
        loaded.filter(JobEntry::finished).ifPresent(e -> cache.put(jobId, e));
        return loaded.filter(e -> !expired(e, retentionCutoff()));
    }

    private Instant retentionCutoff() {
        return clock.instant().minus(config.jobRetention());
    }

    private static boolean expired(JobEntry entry, Instant since) {
        Instant finished = entry.finishedAt();
        return finished != null && finished.isBefore(since);
    }

    private static JobCursor cursor(JobView view) {
        return new JobCursor(view.submittedAt() != null ? view.submittedAt() : Instant.EPOCH, view.id());
    }

    private JobView served(JobView view) {
        Integer position = view.state() == JobState.QUEUED ? queues.position(view.id()) : null;
        JobView served = position == null ? view : view.withQueuePosition(position);
        if (!NOT_TAKEN.contains(view.state())) {
            return served;
        }
        return waiting.apply(view.pool() != null ? view.pool() : JobSpec.DEFAULT_POOL).map(served::withWaiting).orElse(served);
    }

    /** Keeps the queue index in step with a job's entry (called under the job's lock). */
    private void indexed(JobEntry before, JobEntry after) {
        queues.update(before == null ? null : QueueIndex.key(before.view(), before.spec()),
                after == null ? null : QueueIndex.key(after.view(), after.spec()));
    }

    private void notifyViewWatchers(String jobId) {
        if (viewWatchers.isEmpty()) {
            return;
        }
        Optional<JobEntry> entry = entry(jobId);
        if (entry.isEmpty()) {
            return;
        }
        JobView view = served(entry.get().view());
        for (Consumer<JobView> watcher : viewWatchers) {
            try {
                watcher.accept(view);
            } catch (RuntimeException e) {
                LOG.warn("a view watcher failed on job {}", jobId, e);
            }
        }
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
