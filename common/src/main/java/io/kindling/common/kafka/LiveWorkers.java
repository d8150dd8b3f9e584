package io.kindling.common.kafka;

import io.kindling.common.management.Management;
import io.kindling.schemas.JobWaiting;
import io.kindling.schemas.Topics;
import io.micrometer.core.instrument.Gauge;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsResult;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which pools a live worker serves, as Kafka itself knows it: a worker of a pool is a member of
 * the pool's consumer group ({@link KafkaAcls#workerGroup}) assigned a partition of the pool's
 * runs topic, for as long as the group coordinator keeps its session (a worker that dies leaves
 * it within the session timeout, 45 s by default). One admin call describes every pool's group
 * every {@link #INTERVAL}; the gauge {@code kindling_pool_live_workers{pool}} is the count (NaN
 * until the first answer). {@link #waiting} turns "none" into the reason a job of the pool waits.
 */
public final class LiveWorkers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveWorkers.class);
    public static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final long CALL_SECONDS = 10;

    private final Admin admin;
    private final Topics topics;
    private final List<String> pools;
    private final Clock clock;
    private final Instant lookingSince;
    /** The last answer per pool; absent until the first. */
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> schedule;

    /** What the last look found for one pool: live workers now, and when one was last seen (null: never). */
    private record Seen(int live, Instant lastSeen) {
    }

    public LiveWorkers(KafkaClients clients, Collection<String> pools, Management management, Clock clock) {
        this(clients, pools, management, clock, INTERVAL);
    }

    /** Looking every {@code interval} (tests). */
    public LiveWorkers(KafkaClients clients, Collection<String> pools, Management management, Clock clock,
            Duration interval) {
        this.admin = clients.admin("kindling-live-workers");
        this.topics = clients.config().topics();
        this.pools = List.copyOf(pools);
        this.clock = clock;
        this.lookingSince = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        for (String pool : this.pools) {
            Gauge.builder("kindling.pool.live.workers", this, w -> w.live(pool)).tag("pool", pool)
                    .description("Workers in the pool's consumer group holding a partition of its runs topic (NaN: not known yet)")
                    .register(management.registry());
        }
        this.schedule = management.kafkaMetricsRefresh().scheduleWithFixedDelay(this::look, 0, interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** The live workers of {@code pool} at the last look, NaN before the first answer. */
    public double live(String pool) {
        Seen s = seen.get(pool);
        return s == null ? Double.NaN : s.live();
    }

    /** Why a job of {@code pool} that has not started waits: empty unless the last look found no live worker. */
    public Optional<JobWaiting> waiting(String pool) {
        Seen s = seen.get(pool);
        if (s == null || s.live() > 0) {
            return Optional.empty();
        }
        String when = s.lastSeen() != null ? "last seen " + s.lastSeen() : "none seen since " + lookingSince;
        return Optional.of(new JobWaiting(JobWaiting.Reason.NO_LIVE_WORKER,
                "no live worker serves pool '" + pool + "' (" + when + "); start a worker with KINDLING_WORKER_POOL=" + pool,
                s.lastSeen() != null ? s.lastSeen() : lookingSince));
    }

    private void look() {
        try {
            DescribeConsumerGroupsResult result = admin.describeConsumerGroups(
                    pools.stream().map(KafkaAcls::workerGroup).toList());
            Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
            // one deadline for the whole look: an unreachable broker holds the shared thread 10 s, not 10 s a pool
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CALL_SECONDS);
            for (String pool : pools) {
                Optional<Integer> live = live(result, pool, Math.max(0, deadline - System.nanoTime()));
                live.ifPresent(count -> record(pool, count, now));
            }
        } catch (RuntimeException e) {
            LOG.debug("live workers not looked at: {}", e.toString());
        }
    }

    /** Members holding a partition of the pool's runs topic; empty when Kafka did not answer. */
    private Optional<Integer> live(DescribeConsumerGroupsResult result, String pool, long waitNanos) {
        String group = KafkaAcls.workerGroup(pool);
        String runs = topics.runs(pool);
        try {
            ConsumerGroupDescription description = result.describedGroups().get(group).get(waitNanos, TimeUnit.NANOSECONDS);
            int count = 0;
            for (MemberDescription member : description.members()) {
                if (member.assignment().topicPartitions().stream().anyMatch(tp -> tp.topic().equals(runs))) {
                    count++;
                }
            }
            return Optional.of(count);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Optional.of(0);
            }
            LOG.debug("group {} not described: {}", group, e.getCause().toString());
            return Optional.empty();
        } catch (TimeoutException e) {
            LOG.debug("group {} not described within {} s", group, CALL_SECONDS);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private void record(String pool, int live, Instant now) {
        Seen before = seen.get(pool);
        seen.put(pool, new Seen(live, live > 0 ? now : before == null ? null : before.lastSeen()));
        if (live == 0 && (before == null || before.live() > 0)) {
            LOG.warn("no live worker serves pool '{}': its jobs wait until one joins group {}", pool, KafkaAcls.workerGroup(pool));
        } else if (live > 0 && before != null && before.live() == 0) {
            LOG.info("pool '{}' has {} live worker(s) again", pool, live);
        }
    }

    @Override
    public void close() {
        schedule.cancel(false);
        admin.close(Duration.ofSeconds(5));
    }
}
