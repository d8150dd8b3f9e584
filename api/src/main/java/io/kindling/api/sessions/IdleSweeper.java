package io.kindling.api.sessions;

import io.kindling.api.gateway.SessionActivity;
import io.kindling.api.view.JobFilter;
import io.kindling.api.view.JobViewStore;
import io.kindling.schemas.AttemptView;
import io.kindling.schemas.CancelJob;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Ends READY sessions that are idle: no call through this api's gateway for longer than their
 * {@code idleTimeoutSeconds}, counted from the last call, else from when the session became READY
 * (its attempt's start), and never from before this sweeper started (an api restart forgets the
 * calls it saw). Each is cancelled with reason {@value SessionStatus#IDLE_CANCEL}, so its view
 * turns ENDED, reason IDLE.
 *
 * <p>Several api replicas: each judges from the calls its own gateway relayed. A cancel is
 * idempotent (the dispatcher ignores a second one), but a replica that relayed none of a busy
 * session's calls would end it: run the gateway (and so the sweeper) in one replica, or route a
 * session's clients to the replica that runs its gateway. Documented in docs/sessions.md.
 */
public final class IdleSweeper {
    private static final Logger LOG = LoggerFactory.getLogger(IdleSweeper.class);
    static final String PRINCIPAL = "kindling-idle-sweeper";
    private final JobViewStore views;
    private final SessionActivity activity;
    private final Function<CancelJob, CompletionStage<?>> cancels;
    private final Clock clock;
    private final Instant started;
    /** Sessions this sweeper cancelled that are still live: not cancelled again. */
    private final Set<String> cancelled = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** {@code cancels}: publishes a cancel on the commands topic (completes once the broker has it). */
    public IdleSweeper(JobViewStore views, SessionActivity activity, Function<CancelJob, CompletionStage<?>> cancels, Clock clock) {
        this.views = views;
        this.activity = activity;
        this.cancels = cancels;
        this.clock = clock;
        this.started = clock.instant();
    }

    /** Cancels the idle READY sessions; returns their ids. Forgets the activity of sessions that are not live. */
    public List<String> sweep() {
        Instant now = clock.instant();
        JobFilter live = new JobFilter(Set.of(JobState.QUEUED, JobState.DISPATCHED, JobState.SUBMITTING, JobState.RUNNING,
                JobState.RETRYING), null, Map.of(SessionSpecs.SESSION_LABEL, "true"), null, null);
        List<JobView> sessions = views.list(live, null, Integer.MAX_VALUE).items();
        List<String> ids = sessions.stream().map(JobView::id).toList();
        activity.retainOnly(ids);
        cancelled.retainAll(ids);
        List<String> idle = new ArrayList<>();
        for (JobView session : sessions) {
            if (session.state() != JobState.RUNNING || cancelled.contains(session.id())) {
                continue;
            }
            Duration timeout = Duration.ofSeconds(SessionSpecs.idleTimeoutSeconds(session));
            Instant since = latest(started, activity.last(session.id()).orElse(null), readySince(session));
            if (Duration.between(since, now).compareTo(timeout) > 0) {
                idle.add(session.id());
                cancelled.add(session.id());
                try (MDC.MDCCloseable job = MDC.putCloseable("jobId", session.id())) {
                    LOG.info("session idle since {} (idleTimeoutSeconds {}): ending it", since, timeout.toSeconds());
                }
                String id = session.id();
                cancels.apply(new CancelJob(id, SessionStatus.IDLE_CANCEL + ": no call through the gateway for "
                        + timeout.toSeconds() + " s (idleTimeoutSeconds)", now, PRINCIPAL)).whenComplete((done, error) -> {
                            if (error != null) {
                                LOG.warn("the idle cancel of session {} was not acknowledged ({}); the next sweep retries", id,
                                        error.toString());
                                cancelled.remove(id);
                            }
                        });
            }
        }
        return idle;
    }

    private static Instant readySince(JobView session) {
        return session.latestAttempt().map(AttemptView::startedAt).orElse(session.updatedAt());
    }

    private static Instant latest(Instant... times) {
        Instant latest = Instant.EPOCH;
        for (Instant t : times) {
            if (t != null && t.isAfter(latest)) {
                latest = t;
            }
        }
        return latest;
    }
}
