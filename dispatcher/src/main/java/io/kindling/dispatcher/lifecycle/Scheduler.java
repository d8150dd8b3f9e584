package io.kindling.dispatcher.lifecycle;

import io.kindling.schemas.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Picks the jobs to dispatch now. Pure. A job is ready when QUEUED, or RETRYING with its next
 * attempt due. Per pool, at most {@code maxRunning} attempts are DISPATCHED, SUBMITTING or RUNNING,
 * and at most {@code maxRunningPerTenant} of one tenant. Within a pool, ready jobs go by effective
 * priority (priority + one point per {@code agingSeconds} waited since queued, so low priorities do
 * not starve), then submission time, then job id; a job whose tenant is at its limit is skipped.
 */
final class Scheduler {
    private Scheduler() {
    }

    static List<Job> pick(Collection<Job> jobs, Function<String, PoolRules> rules, Instant now) {
        Map<String, Integer> poolRunning = new HashMap<>();
        Map<String, Integer> tenantRunning = new HashMap<>();
        Map<String, List<Job>> ready = new TreeMap<>();
        for (Job job : jobs) {
            if (job.active()) {
                poolRunning.merge(job.pool(), 1, Integer::sum);
                tenantRunning.merge(tenantKey(job), 1, Integer::sum);
            } else if (ready(job, now)) {
                ready.computeIfAbsent(job.pool(), p -> new ArrayList<>()).add(job);
            }
        }
        List<Job> picked = new ArrayList<>();
        ready.forEach((pool, candidates) -> {
            PoolRules r = rules.apply(pool);
            candidates.sort(order(r.aging(), now));
            for (Job job : candidates) {
                if (poolRunning.getOrDefault(pool, 0) >= r.maxRunning()) {
                    break;
                }
                if (tenantRunning.getOrDefault(tenantKey(job), 0) >= r.maxRunningPerTenant()) {
                    continue;
                }
                picked.add(job);
                poolRunning.merge(pool, 1, Integer::sum);
                tenantRunning.merge(tenantKey(job), 1, Integer::sum);
            }
        });
        return picked;
    }

    /** The order of ready jobs within a pool: first is dispatched first. */
    static Comparator<Job> order(Duration aging, Instant now) {
        Comparator<Job> byPriority = Comparator.comparingLong(job -> -effectivePriority(job, aging, now));
        return byPriority.thenComparing(job -> job.submittedAt).thenComparing(job -> job.id);
    }

    static long effectivePriority(Job job, Duration aging, Instant now) {
        long waited = Math.max(0, Duration.between(job.queuedAt, now).toMillis());
        return job.priority() + waited / Math.max(1, aging.toMillis());
    }

    static boolean ready(Job job, Instant now) {
        return job.state == JobState.QUEUED
                || (job.state == JobState.RETRYING && (job.nextAttemptAt == null || !job.nextAttemptAt.isAfter(now)));
    }

    private static String tenantKey(Job job) {
        return job.pool() + "\u0000" + job.tenant();
    }
}
