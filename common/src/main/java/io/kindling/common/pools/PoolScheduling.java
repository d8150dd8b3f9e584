package io.kindling.common.pools;

import io.kindling.schemas.RetryPolicy;

/**
 * How the dispatcher schedules a pool's jobs: the pool's keys that concern quotas, timeouts,
 * leases and retries. A null field means "not set": the dispatcher applies its default.
 *
 * @param maxRunning attempts of the pool dispatched or running at once (null: no limit)
 * @param maxRunningPerTenant attempts of one tenant in the pool at once (null: no limit)
 * @param queueTimeoutSeconds a job QUEUED longer than this fails with TIMED_OUT (null: waits forever)
 * @param leaseSeconds an attempt whose worker sends no report for this long is LOST (default 30)
 * @param agingSeconds a queued job gains one priority point per this many seconds waited (default 60)
 * @param retry defaults for jobs whose request does not say (each field separately)
 */
public record PoolScheduling(
        Integer maxRunning,
        Integer maxRunningPerTenant,
        Integer queueTimeoutSeconds,
        Integer leaseSeconds,
        Integer agingSeconds,
        RetryPolicy retry) {

    /** Nothing set: every default applies. */
    public static PoolScheduling defaults() {
        return new PoolScheduling(null, null, null, null, null, null);
    }
}
