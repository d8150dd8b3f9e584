package io.kindling.dispatcher.lifecycle;

import io.kindling.common.pools.PoolConfig;
import io.kindling.dispatcher.intake.Input;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.CancelJob;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobState;
import io.kindling.schemas.SubmitJob;
import io.kindling.schemas.Violation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    private final Map<String, PoolRules> pools = new HashMap<>();
    private final Map<String, Job> jobs = new HashMap<>();
    private final Transitions transitions;
    private final ReportHandler reports;

    public JobStateMachine(Collection<PoolConfig> pools) {
        pools.forEach(p -> this.pools.put(p.name(), PoolRules.of(p)));
        this.transitions = new Transitions(this::rules);
        this.reports = new ReportHandler(transitions);
    }

    private PoolRules rules(String pool) {
        PoolRules r = pools.get(pool);
        return r != null ? r : PoolRules.of(PoolConfig.defaults(pool == null ? "default" : pool));
    }

    private Outputs outputs() {
        return new Outputs(job -> rules(job.pool()).lease());
    }

    /** Folds one event read from the events topic while rebuilding; emits nothing. */
    public void restore(JobEvent event) {
        Job job = jobs.get(event.jobId());
        if (job == null) {
            if (event.state() != JobState.QUEUED && event.state() != JobState.REJECTED) {
                LOG.warn("job {}: event {} before the job was queued; ignored", event.jobId(), event.eventId());
                return;
            }
            job = new Job(event.jobId());
            jobs.put(job.id, job);
        }
        job.apply(event, rules(job.pool()).lease());
    }

    /** Called once the rebuild is done: every attempt that holds a lease gets a fresh one from {@code now}. */
    public void resume(Instant now) {
        for (Job job : jobs.values()) {
            if (job.leaseUntil != null) {
                job.leaseUntil = now.plus(rules(job.pool()).lease());
            }
        }
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
                    reports.handle(job, r.report(), now, out);
                }
            }
            case Input.Invalid i -> invalid(i, now, out);
        }
        return out.list();
    }

    private void submit(Input.Submit input, Instant now, Outputs out) {
        SubmitJob submit = input.command();
        Job existing = jobs.get(submit.jobId());
        if (existing != null) {
            if (existing.spec != null && existing.spec.equals(submit.spec())) {
                LOG.info("job {}: submitted again with the same request; nothing to do ({})", submit.jobId(), existing.state);
            } else {
                String message = "job '" + submit.jobId() + "' already exists (" + existing.state
                        + ") with a different request; the existing job is unchanged";
                LOG.warn("job {}: {}", submit.jobId(), message);
                out.deadLetter(input.origin(), submit.jobId(), "CONFLICT", message, List.of(), now);
            }
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
        jobs.put(job.id, job);
        out.event(job, JobEvents.job(job.id, JobState.QUEUED, now).spec(submit.spec())
                .submittedAt(submit.submittedAt() != null ? submit.submittedAt() : now).principal(submit.principal()).build());
        LOG.info("job {}: queued in pool {}", job.id, pool);
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
            jobs.put(job.id, job);
            out.event(job, JobEvents.job(job.id, JobState.REJECTED, now).reason(FailureReason.REJECTED)
                    .message(input.code() + ": " + input.message()).build());
        }
    }

    /** Fires the timers due at {@code now} (queue timeouts, leases, run timeouts), then dispatches what fits. */
    public List<Output> tick(Instant now) {
        Outputs out = outputs();
        for (Job job : new ArrayList<>(jobs.values())) {
            if (!job.terminal()) {
                fireTimers(job, now, out);
            }
        }
        for (Job job : Scheduler.pick(jobs.values(), this::rules, now)) {
            transitions.dispatch(job, out, now);
        }
        return out.list();
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

    private static Optional<Instant> runDeadline(Job job) {
        if (job.leaseUntil == null || job.timeoutCancelSent || job.startedAt == null || job.spec.timeoutSeconds() == null) {
            return Optional.empty();
        }
        return Optional.of(job.startedAt.plusSeconds(job.spec.timeoutSeconds()).plus(TIMEOUT_GRACE));
    }

    /** The earliest moment a timer fires after {@code now}, if any: poll no longer than that. */
    public Optional<Instant> nextDeadline(Instant now) {
        Instant next = null;
        for (Job job : jobs.values()) {
            if (job.terminal()) {
                continue;
            }
            List<Instant> candidates = new ArrayList<>(4);
            queueDeadline(job, rules(job.pool())).ifPresent(candidates::add);
            runDeadline(job).ifPresent(candidates::add);
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
}
