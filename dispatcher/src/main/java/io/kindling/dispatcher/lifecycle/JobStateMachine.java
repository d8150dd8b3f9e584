package io.kindling.dispatcher.lifecycle;

import io.kindling.common.deadletter.DeadLetters;
import io.kindling.common.pools.PoolConfig;
import io.kindling.dispatcher.intake.Input;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.CancelJob;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.MessageReader;
import io.kindling.schemas.SubmitJob;
import io.kindling.schemas.Violation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job state machine: fed inputs (commands, reports) and the time, it returns the records to
 * publish. Pure and single-threaded: no I/O, no clock of its own. Its memory is the fold of the
 * events topic ({@link #restore} on start, then the events it emits itself), plus the timers that
 * are not in events (leases, re-armed fresh by {@link #resume}). See docs/lifecycle.md.
 */
public final class JobStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(JobStateMachine.class);
    /** How long past {@code timeoutSeconds} the dispatcher waits for the worker to stop an attempt itself. */
    public static final Duration TIMEOUT_GRACE = Duration.ofSeconds(30);
    /**
     * Largest spec accepted, encoded: its QUEUED event and run assignments carry it, and must fit in
     * one record (the producer's 1 MiB) with their other fields.
     */
    public static final int MAX_SPEC_BYTES = MessageReader.DEFAULT_MAX_BYTES - 16 * 1024;
    /** Longest message copied into an event from a record or a report. */
    public static final int MAX_MESSAGE_CHARS = 4096;

    /** How long a finished job is remembered (idempotent replays) by default. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
    /** How long a dispatched attempt may wait for its worker's first report by default. */
    public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(300);
    /** How many finished jobs are remembered at most by default: beyond it the oldest are forgotten before their retention. */
    public static final int DEFAULT_MAX_FINISHED = 500_000;

    private final Map<String, PoolRules> pools = new HashMap<>();
    /** Every job known: live ones with their full state, finished ones small (no spec) until their retention ends. */
    private final Map<String, Job> jobs = new HashMap<>();
    /** The jobs that have not ended: what timers and the scheduler look at, so a poll costs what live work costs. */
    private final Map<String, Job> live = new LinkedHashMap<>();
    /** Finished jobs by end time, to forget them once their retention has passed. */
    private final PriorityQueue<Expiry> expiries = new PriorityQueue<>(Comparator.comparing(Expiry::at));
    /** Jobs changed since the last batch of outputs: their snapshots go to the state topic. */
    private final Set<String> dirty = new LinkedHashSet<>();
    private final Duration retention;
    private final int maxFinished;
    private final Duration ackTimeout;
    /** Finished jobs forgotten before their retention because {@link #maxFinished} were remembered. */
    private long forgottenEarly;
    private final Transitions transitions;
    private final ReportHandler reports;

    private record Expiry(Instant at, String jobId) {
    }

    public JobStateMachine(Collection<PoolConfig> pools) {
        this(pools, DEFAULT_RETENTION, DEFAULT_MAX_FINISHED, DEFAULT_ACK_TIMEOUT);
    }

    /**
     * {@code retention}: how long a finished job is remembered (a submit replayed after that runs
     * again); {@code maxFinished}: how many finished jobs are remembered at most (the oldest beyond
     * it are forgotten at once, so the dispatcher's memory stays bounded whatever the rate of jobs);
     * {@code ackTimeout}: how long a dispatched attempt may wait for its worker's first report.
     */
    public JobStateMachine(Collection<PoolConfig> pools, Duration retention, int maxFinished, Duration ackTimeout) {
        if (maxFinished < 1) {
            throw new IllegalArgumentException("maxFinished must be at least 1: " + maxFinished);
        }
        pools.forEach(p -> this.pools.put(p.name(), PoolRules.of(p)));
        this.retention = retention;
        this.maxFinished = maxFinished;
        this.ackTimeout = ackTimeout;
        this.transitions = new Transitions(this::rules);
        this.reports = new ReportHandler(transitions);
    }

    private PoolRules rules(String pool) {
        PoolRules r = pools.get(pool);
        return r != null ? r : PoolRules.of(PoolConfig.defaults(pool == null ? "default" : pool));
    }

    private Outputs outputs() {
        return new Outputs(job -> rules(job.pool()).lease(), this::changed);
    }

    private void changed(Job job) {
        dirty.add(job.id);
        index(job);
    }

    private void index(Job job) {
        jobs.put(job.id, job);
        if (job.terminal()) {
            live.remove(job.id);
            expiries.add(new Expiry(endedAt(job), job.id));
            forgetBeyondMaxFinished();
        } else {
            live.put(job.id, job);
        }
    }

    private static Instant endedAt(Job job) {
        return job.endedAt != null ? job.endedAt : Instant.EPOCH;
    }

    /** Forgets the finished jobs that ended first while more than {@link #maxFinished} are remembered: their snapshots become tombstones. */
    private void forgetBeyondMaxFinished() {
        while (jobs.size() - live.size() > maxFinished && !expiries.isEmpty()) {
            // an entry of a job since restored with a later end is stale: the job's own entry comes later
            Expiry e = expiries.poll();
            if (forgetEnded(e, e.at())) {
                forgottenEarly++;
            }
        }
    }

    /** Forgets the finished job of {@code e} if it ended by {@code notAfter}: its snapshot becomes a tombstone. */
    private boolean forgetEnded(Expiry e, Instant notAfter) {
        Job job = jobs.get(e.jobId());
        if (job == null || !job.terminal() || endedAt(job).isAfter(notAfter)) {
            return false;
        }
        jobs.remove(job.id);
        dirty.add(job.id);
        return true;
    }

    /** Folds one event read from the events topic while rebuilding (start-up without a state topic); emits nothing. */
    public void restore(JobEvent event) {
        Job job = jobs.get(event.jobId());
        if (job == null) {
            if (event.state() != JobState.QUEUED && event.state() != JobState.REJECTED) {
                LOG.warn("job {}: event {} before the job was queued; ignored", event.jobId(), event.eventId());
                return;
            }
            job = new Job(event.jobId());
        }
        boolean wasLive = !job.terminal();
        job.apply(event, rules(job.pool()).lease());
        if (wasLive) {
            index(job);
        }
    }

    /**
     * Restores one job from its snapshot on the state topic (a later snapshot of the same job
     * replaces it, a finished job's record from the other topic only if this one is newer). A
     * finished job's snapshot there was written before the finished jobs had their own topic: it is
     * moved with the next outputs.
     */
    public void restore(JobSnapshot snapshot) {
        Job job = Job.of(snapshot);
        if (restore(job, false) && job.terminal()) {
            dirty.add(job.id);
        }
    }

    /**
     * Restores one finished job from its record on the finished jobs' topic (loaded in the
     * background while the dispatcher already runs): ignored if the job is known newer, from the
     * state topic or from a decision.
     */
    public void restoreFinished(JobSnapshot snapshot) {
        Job job = Job.of(snapshot);
        job.fromFinishedTopic = true;
        restore(job, true);
    }

    private boolean restore(Job job, boolean fromFinishedTopic) {
        Job known = jobs.get(job.id);
        if (known != null && known.fromFinishedTopic != fromFinishedTopic && !known.supersededBy(job)) {
            return false;
        }
        remove(job.id);
        index(job);
        return true;
    }

    /** A tombstone on the state topic: the live job is forgotten (it ended, or its state was moved). */
    public void forget(String jobId) {
        forget(jobId, false);
    }

    /** A tombstone on the finished jobs' topic: the finished job's retention has passed. */
    public void forgetFinished(String jobId) {
        forget(jobId, true);
    }

    private void forget(String jobId, boolean fromFinishedTopic) {
        Job known = jobs.get(jobId);
        if (known != null && known.fromFinishedTopic == fromFinishedTopic) {
            remove(jobId);
        }
    }

    private void remove(String jobId) {
        jobs.remove(jobId);
        live.remove(jobId);
    }

    /** True if the job is known (live, or finished and still remembered). */
    public boolean knows(String jobId) {
        return jobs.containsKey(jobId);
    }

    /** The ids of every job known, live or finished (a read-only view). */
    public Set<String> knownIds() {
        return Collections.unmodifiableSet(jobs.keySet());
    }

    /** Every job's snapshot is written with the next outputs (after a rebuild from the events topic). */
    public void snapshotAll() {
        dirty.addAll(jobs.keySet());
    }

    /** Every job's snapshot, as the outputs after {@link #snapshotAll} carry them (what the state topics hold for them). */
    public List<Output> snapshots() {
        snapshotAll();
        return withSnapshots(outputs());
    }

    /** Called once the rebuild is done: every attempt that holds a lease gets a fresh one from {@code now}. */
    public void resume(Instant now) {
        for (Job job : live.values()) {
            if (job.leaseUntil != null) {
                job.leaseUntil = now.plus(rules(job.pool()).lease());
            }
        }
    }

    /** The snapshots of the jobs changed since the last call, and tombstones of the jobs forgotten. */
    private List<Output> withSnapshots(Outputs out) {
        for (String id : dirty) {
            Job job = jobs.get(id);
            out.add(new Output.State(id, job == null ? null : job.snapshot()));
        }
        dirty.clear();
        return out.list();
    }

    /** What one consumed record leads to. */
    public List<Output> handle(Input input, Instant now) {
        Outputs out = outputs();
        switch (input) {
            case Input.Submit s -> submit(s, now, out);
            case Input.Cancel c -> cancel(c, now, out);
            case Input.Report r -> {
                Job job = jobs.get(r.report().jobId());
                if (job == null) {
                    out.deadLetter(r.origin(), r.report().jobId(), "NOT_FOUND",
                            "report about unknown job '" + r.report().jobId() + "'", List.of(), now);
                } else {
                    reports.handle(job, r.report(), r.origin(), now, out);
                }
            }
            case Input.Invalid i -> invalid(i, now, out);
        }
        return withSnapshots(out);
    }

    private void submit(Input.Submit input, Instant now, Outputs out) {
        SubmitJob submit = input.command();
        Job existing = jobs.get(submit.jobId());
        if (existing != null) {
            if (existing.specSha256 != null && existing.specSha256.equals(Specs.sha256(submit.spec()))) {
                LOG.info("job {}: submitted again with the same request; nothing to do ({})", submit.jobId(), existing.state);
            } else {
                String message = "job '" + submit.jobId() + "' already exists (" + existing.state
                        + ") with a different request; the existing job is unchanged";
                LOG.warn("job {}: {}", submit.jobId(), message);
                out.deadLetter(input.origin(), submit.jobId(), "CONFLICT", message, List.of(), now);
            }
            return;
        }
        int specBytes = Json.encode(submit.spec()).length;
        if (specBytes > MAX_SPEC_BYTES) {
            String message = "the spec is " + specBytes + " bytes encoded; the limit is " + MAX_SPEC_BYTES;
            invalid(new Input.Invalid(input.origin(), submit.jobId(), "TOO_LARGE", message,
                    List.of(new Violation("$.spec", message))), now, out);
            return;
        }
        String pool = submit.spec().pool();
        if (!pools.containsKey(pool)) {
            String message = "unknown pool '" + pool + "'; known pools: " + String.join(", ", new TreeSet<>(pools.keySet()));
            invalid(new Input.Invalid(input.origin(), submit.jobId(), "INVALID", message,
                    List.of(new Violation("$.spec.pool", message))), now, out);
            return;
        }
        if (pools.get(pool).standaloneCluster() && submit.spec().application().type() == ApplicationType.PYTHON) {
            String message = "Python applications cannot run in cluster mode on a standalone cluster (pool '" + pool
                    + "'): use a client-mode pool";
            invalid(new Input.Invalid(input.origin(), submit.jobId(), "INVALID", message,
                    List.of(new Violation("$.spec.application.type", message))), now, out);
            return;
        }
        Job job = new Job(submit.jobId());
        job.trace = input.origin().trace().isEmpty() ? null : input.origin().trace();
        out.event(job, JobEvents.job(job.id, JobState.QUEUED, now).spec(submit.spec())
                .submittedAt(submit.submittedAt() != null ? submit.submittedAt() : now).principal(submit.principal()).build());
        LOG.debug("job {}: queued in pool {}", job.id, pool);
    }

    private void cancel(Input.Cancel input, Instant now, Outputs out) {
        CancelJob cancel = input.command();
        Job job = jobs.get(cancel.jobId());
        if (job != null && input.tenant() != null && (job.spec == null || !input.tenant().equals(job.spec.tenant()))) {
            job = null; // another tenant's job: as if unknown, so ids confirm nothing
        }
        String why = cancel.reason() != null ? "cancelled: " + cancel.reason() : "cancelled by request";
        if (job == null) {
            out.deadLetter(input.origin(), cancel.jobId(), "NOT_FOUND", "cancel of unknown job '" + cancel.jobId() + "'",
                    List.of(), now);
        } else if (job.terminal()) {
            LOG.info("job {}: cancel of a job that ended {}; nothing to do", job.id, job.state);
        } else if (job.state == JobState.QUEUED || job.state == JobState.RETRYING) {
            out.event(job, Transitions.jobEvent(job, JobState.CANCELLED, now).reason(FailureReason.CANCELLED).message(why)
                    .principal(cancel.principal()).build());
        } else {
            job.cancelRequested = true;
            job.cancelledBy = cancel.principal();
            job.cancelMessage = why;
            out.changed(job);
            if (job.leaseUntil == null) {
                // not started yet: if no worker confirms within a lease, the job ends CANCELLED anyway
                job.leaseUntil = now.plus(rules(job.pool()).lease());
            }
            Transitions.cancelAttempt(job, job.attempt, FailureReason.CANCELLED, why, now, out);
        }
    }

    private void invalid(Input.Invalid input, Instant now, Outputs out) {
        LOG.warn("rejected record {}-{}@{} (job {}): {} {}", input.origin().topic(), input.origin().partition(),
                input.origin().offset(), input.jobId(), input.code(), input.message());
        out.deadLetter(input.origin(), input.jobId(), input.code(), input.message(), input.details(), now);
        if (input.jobId() != null && !jobs.containsKey(input.jobId())) {
            Job job = new Job(input.jobId());
            out.event(job, JobEvents.job(job.id, JobState.REJECTED, now).reason(FailureReason.REJECTED)
                    .message(DeadLetters.truncate(input.code() + ": " + input.message(), MAX_MESSAGE_CHARS)).build());
        }
    }

    /**
     * Ends a job whose records the dispatcher could not publish (it stopped every other job while it
     * was tried): FAILED, reason SUBMISSION_FAILED, and a CANCEL control if an attempt is live.
     */
    public List<Output> abandon(String jobId, String message, Instant now) {
        Outputs out = outputs();
        Job job = jobs.get(jobId);
        if (job != null && !job.terminal()) {
            String text = DeadLetters.truncate(message, MAX_MESSAGE_CHARS);
            if (job.active()) {
                Transitions.cancelAttempt(job, job.attempt, FailureReason.SUBMISSION_FAILED, text, now, out);
            }
            JobEvents.Builder failed = job.attempt > 0 ? Transitions.attemptEvent(job, JobState.FAILED, now)
                    : Transitions.jobEvent(job, JobState.FAILED, now);
            out.event(job, failed.reason(FailureReason.SUBMISSION_FAILED).message(text).build());
        }
        return withSnapshots(out);
    }

    /** Fires the timers due at {@code now} (queue timeouts, leases, run timeouts), then dispatches what fits. */
    public List<Output> tick(Instant now) {
        Outputs out = outputs();
        expire(now);
        for (Job job : new ArrayList<>(live.values())) {
            if (!job.terminal()) {
                try {
                    fireTimers(job, now, out);
                } catch (RuntimeException e) {
                    // one job's bug must not stop every other job's timers
                    LOG.error("job {}: its timers failed; skipped this round", job.id, e);
                }
            }
        }
        for (Job job : Scheduler.pick(live.values(), this::rules, now)) {
            transitions.dispatch(job, out, now);
        }
        return withSnapshots(out);
    }

    /** Forgets the finished jobs whose retention has passed: their snapshots become tombstones. */
    private void expire(Instant now) {
        Instant horizon = now.minus(retention);
        while (!expiries.isEmpty() && !expiries.peek().at().isAfter(horizon)) {
            forgetEnded(expiries.poll(), horizon);
        }
    }

    private void fireTimers(Job job, Instant now, Outputs out) {
        PoolRules r = rules(job.pool());
        Optional<Instant> queueDeadline = queueDeadline(job, r);
        if (queueDeadline.isPresent() && !queueDeadline.get().isAfter(now)) {
            out.event(job, Transitions.jobEvent(job, JobState.FAILED, now).reason(FailureReason.TIMED_OUT)
                    .message("waited in the queue of pool " + job.pool() + " for more than "
                            + r.queueTimeout().orElseThrow().toSeconds() + " s without being dispatched").build());
        } else if (job.leaseUntil != null && !job.leaseUntil.isAfter(now) && job.cancelRequested) {
            String message = "cancelled; no confirmation from " + (job.workerId == null ? "any worker" : "worker " + job.workerId)
                    + " within " + r.lease().toSeconds() + " s";
            Transitions.cancelAttempt(job, job.attempt, FailureReason.CANCELLED, message, now, out);
            out.event(job, Transitions.attemptEvent(job, JobState.CANCELLED, now).reason(FailureReason.CANCELLED)
                    .message(message).workerId(job.workerId).principal(job.cancelledBy).build());
        } else if (ackDeadline(job).filter(d -> !d.isAfter(now)).isPresent()) {
            String message = "no worker acknowledged the run assignment of attempt " + job.attempt + " within "
                    + ackTimeout.toSeconds() + " s: the attempt is presumed lost and its slot freed";
            Transitions.cancelAttempt(job, job.attempt, FailureReason.LOST, message, now, out);
            transitions.fail(job, FailureReason.LOST, message, null, now, out);
        } else if (job.leaseUntil != null && !job.leaseUntil.isAfter(now)) {
            String message = "no report from worker " + job.workerId + " for " + r.lease().toSeconds()
                    + " s: the attempt is presumed lost";
            Transitions.cancelAttempt(job, job.attempt, FailureReason.LOST, message, now, out);
            transitions.fail(job, FailureReason.LOST, message, null, now, out);
        } else {
            runDeadline(job).filter(d -> !d.isAfter(now)).ifPresent(d -> {
                job.timeoutCancelSent = true;
                Transitions.cancelAttempt(job, job.attempt, FailureReason.TIMED_OUT, "the attempt exceeded timeoutSeconds ("
                        + job.spec.timeoutSeconds() + ")", now, out);
            });
        }
    }

    private static Optional<Instant> queueDeadline(Job job, PoolRules r) {
        return job.state == JobState.QUEUED ? r.queueTimeout().map(job.queuedAt::plus) : Optional.empty();
    }

    /** A DISPATCHED attempt no worker has reported about yet (and no cancel awaits): when it is given up. */
    private Optional<Instant> ackDeadline(Job job) {
        if (job.state != JobState.DISPATCHED || job.leaseUntil != null || job.dispatchedAt == null) {
            return Optional.empty();
        }
        return Optional.of(job.dispatchedAt.plus(ackTimeout));
    }

    private static Optional<Instant> runDeadline(Job job) {
        if (job.leaseUntil == null || job.timeoutCancelSent || job.startedAt == null || job.spec.timeoutSeconds() == null) {
            return Optional.empty();
        }
        return Optional.of(job.startedAt.plusSeconds(job.spec.timeoutSeconds()).plus(TIMEOUT_GRACE));
    }

    /** The earliest moment a timer fires after {@code now}, if any: poll no longer than that. */
    public Optional<Instant> nextDeadline(Instant now) {
        Instant next = expiries.isEmpty() ? null : expiries.peek().at().plus(retention);
        for (Job job : live.values()) {
            if (job.terminal()) {
                continue;
            }
            List<Instant> candidates = new ArrayList<>(4);
            queueDeadline(job, rules(job.pool())).ifPresent(candidates::add);
            runDeadline(job).ifPresent(candidates::add);
            ackDeadline(job).ifPresent(candidates::add);
            if (job.leaseUntil != null) {
                candidates.add(job.leaseUntil);
            }
            if (job.state == JobState.RETRYING && job.nextAttemptAt != null && job.nextAttemptAt.isAfter(now)) {
                candidates.add(job.nextAttemptAt);
            }
            for (Instant c : candidates) {
                next = next == null || c.isBefore(next) ? c : next;
            }
        }
        return Optional.ofNullable(next);
    }

    /** The job's state, if the job is known. */
    public Optional<JobState> state(String jobId) {
        return Optional.ofNullable(jobs.get(jobId)).map(job -> job.state);
    }

    /** How many jobs are known. */
    public int size() {
        return jobs.size();
    }

    /** How many jobs have not ended. */
    public int liveJobs() {
        return live.size();
    }

    /** Finished jobs forgotten before their retention since start, because the most that are remembered were. */
    public long forgottenEarly() {
        return forgottenEarly;
    }

    /** What {@link #forEachLive} tells of one job that has not ended. */
    public interface LiveJob {
        void visit(JobState state, String pool, String tenant, Instant queuedAt);
    }

    /** Visits every job that has not ended (metrics: jobs by state, queue depth and age). */
    public void forEachLive(LiveJob visitor) {
        live.values().forEach(job -> visitor.visit(job.state, job.pool(), job.tenant(), job.queuedAt));
    }
}
