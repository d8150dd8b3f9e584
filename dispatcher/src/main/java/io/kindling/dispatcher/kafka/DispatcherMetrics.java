package io.kindling.dispatcher.kafka;

import io.kindling.dispatcher.lifecycle.JobStateMachine;
import io.kindling.dispatcher.lifecycle.Output;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The dispatcher's meters, fed by its one thread: what each committed transaction published
 * (jobs submitted and finished, attempts ended, retries, lease expiries, dead letters, dispatch
 * latency) and, every few seconds, the live jobs by state, pool and tenant, each pool's queue and
 * the consumer's lag. Labels are pools, tenants, states and reasons: never job ids.
 */
final class DispatcherMetrics {
    private static final Duration GAUGE_REFRESH = Duration.ofSeconds(2);
    private static final String NONE = "none";

    private final MeterRegistry registry;
    private final String group;
    private final MultiGauge jobs;
    private final MultiGauge queueDepth;
    private final MultiGauge oldestQueued;
    private final AtomicLong lag = new AtomicLong();
    private final AtomicLong finishedRemembered = new AtomicLong();
    private final Counter forgottenEarly;
    /** The machine last observed and its count of jobs forgotten early then: the counter grows by the difference. */
    private JobStateMachine observed;
    private long observedForgottenEarly;
    /** When each job was last queued (QUEUED or RETRYING's next attempt), until it is dispatched: dispatch latency. */
    private final Map<String, Instant> queued = new HashMap<>();
    private long refreshedAt = Long.MIN_VALUE;

    DispatcherMetrics(MeterRegistry registry, String group) {
        this.registry = registry;
        this.group = group;
        this.jobs = MultiGauge.builder("kindling.jobs").description("Jobs that have not ended, by state, pool and tenant")
                .register(registry);
        this.queueDepth = MultiGauge.builder("kindling.queue.depth").description("Jobs QUEUED in the pool")
                .register(registry);
        this.oldestQueued = MultiGauge.builder("kindling.queue.oldest.age").baseUnit("seconds")
                .description("Age of the pool's oldest QUEUED job").register(registry);
        Gauge.builder("kindling.consumer.lag", lag, AtomicLong::get).baseUnit("records").tag("group", group)
                .description("Records not yet consumed by the consumer group (its assigned partitions)").register(registry);
        Gauge.builder("kindling.jobs.finished.remembered", finishedRemembered, AtomicLong::get)
                .description("Finished jobs the dispatcher remembers (idempotent replays), at most KINDLING_JOB_RETENTION_MAX_JOBS")
                .register(registry);
        this.forgottenEarly = Counter.builder("kindling.jobs.forgotten.early")
                .description("Finished jobs forgotten before their retention days: KINDLING_JOB_RETENTION_MAX_JOBS were remembered")
                .register(registry);
    }

    /** What one committed transaction published. */
    void published(List<Output> outputs) {
        for (Output output : outputs) {
            switch (output) {
                case Output.Event e -> event(e.event());
                case Output.DeadLettered d -> Counter.builder("kindling.dead.letters")
                        .description("Records dead-lettered by the dispatcher, by reason")
                        .tag("reason", orNone(d.letter().reason())).register(registry).increment();
                default -> {
                }
            }
        }
    }

    private void event(JobEvent e) {
        String pool = orNone(e.pool());
        String tenant = orNone(e.tenant());
        JobState state = e.state();
        switch (state) {
            case QUEUED -> {
                Counter.builder("kindling.jobs.submitted").description("Jobs accepted (QUEUED for the first time)")
                        .tags("pool", pool, "tenant", tenant).register(registry).increment();
                queued.put(e.jobId(), e.time());
            }
            case DISPATCHED -> {
                Instant since = queued.remove(e.jobId());
                if (since != null && !e.time().isBefore(since)) {
                    Timer.builder("kindling.dispatch.latency")
                            .description("From QUEUED (or a retry's due time) to DISPATCHED").tag("pool", pool)
                            .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(5))
                            .maximumExpectedValue(Duration.ofMinutes(10)).register(registry).record(Duration.between(since, e.time()));
                }
            }
            case RETRYING -> {
                attemptEnded(e, pool, "FAILED");
                Counter.builder("kindling.retries").description("Attempts retried, by the failed attempt's reason")
                        .tags("pool", pool, "reason", reason(e)).register(registry).increment();
                queued.put(e.jobId(), e.nextAttemptAt() != null ? e.nextAttemptAt() : e.time());
            }
            default -> {
            }
        }
        if (state.terminal()) {
            queued.remove(e.jobId());
            if (e.attempt() != null && state != JobState.REJECTED) {
                attemptEnded(e, pool, state.name());
            }
            Counter.builder("kindling.jobs.finished").description("Jobs that ended, by final state")
                    .tags("state", state.name(), "pool", pool, "tenant", tenant).register(registry).increment();
        }
    }

    private void attemptEnded(JobEvent e, String pool, String result) {
        Counter.builder("kindling.attempts.ended").description("Attempts that ended, by result and reason")
                .tags("pool", pool, "result", result, "reason", reason(e)).register(registry).increment();
        if ("LOST".equals(reason(e))) {
            Counter.builder("kindling.lease.expiries")
                    .description("Attempts declared LOST (lease or acknowledgement timed out)").tag("pool", pool)
                    .register(registry).increment();
        }
    }

    /** Every {@link #GAUGE_REFRESH}: live jobs, queues and the consumer's lag. Called by the dispatcher's thread. */
    void observe(JobStateMachine machine, Consumer<?, ?> consumer, Instant now) {
        long nanos = System.nanoTime();
        if (refreshedAt != Long.MIN_VALUE && nanos - refreshedAt < GAUGE_REFRESH.toNanos()) {
            return;
        }
        refreshedAt = nanos;
        finishedRemembered.set(machine.size() - machine.liveJobs());
        if (machine != observed) {
            observed = machine;
            observedForgottenEarly = 0;
        }
        forgottenEarly.increment(machine.forgottenEarly() - observedForgottenEarly);
        observedForgottenEarly = machine.forgottenEarly();
        Map<Tags, Long> byState = new HashMap<>();
        Map<String, Long> depth = new HashMap<>();
        Map<String, Instant> oldest = new HashMap<>();
        machine.forEachLive((state, pool, tenant, queuedAt) -> {
            String p = orNone(pool);
            byState.merge(Tags.of("state", state.name(), "pool", p, "tenant", orNone(tenant)), 1L, Long::sum);
            if (state == JobState.QUEUED) {
                depth.merge(p, 1L, Long::sum);
                if (queuedAt != null) {
                    oldest.merge(p, queuedAt, (a, b) -> a.isBefore(b) ? a : b);
                }
            }
        });
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        byState.forEach((tags, n) -> rows.add(MultiGauge.Row.of(tags, n)));
        jobs.register(rows, true);
        List<MultiGauge.Row<?>> depthRows = new ArrayList<>();
        depth.forEach((pool, n) -> depthRows.add(MultiGauge.Row.of(Tags.of("pool", pool), n)));
        queueDepth.register(depthRows, true);
        List<MultiGauge.Row<?>> ageRows = new ArrayList<>();
        oldest.forEach((pool, at) -> ageRows.add(MultiGauge.Row.of(Tags.of("pool", pool),
                Math.max(0, Duration.between(at, now).toMillis()) / 1000.0)));
        oldestQueued.register(ageRows, true);
        if (consumer != null) {
            long total = 0;
            Set<TopicPartition> assignment = consumer.assignment();
            for (TopicPartition tp : assignment) {
                OptionalLong l = consumer.currentLag(tp);
                total += l.orElse(0);
            }
            lag.set(total);
        }
    }

    /** A standby: the active instance reports the jobs. */
    void standby() {
        jobs.register(List.of(), true);
        queueDepth.register(List.of(), true);
        oldestQueued.register(List.of(), true);
        queued.clear();
        lag.set(0);
        finishedRemembered.set(0);
        refreshedAt = Long.MIN_VALUE;
    }

    private static String reason(JobEvent e) {
        return e.reason() == null ? NONE : e.reason().name();
    }

    private static String orNone(String value) {
        return value == null || value.isBlank() ? NONE : value;
    }
}
