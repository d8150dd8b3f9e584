package io.kindling.dispatcher.lifecycle;

import io.kindling.common.pools.PoolBackend;
import io.kindling.common.pools.PoolConfig;
import io.kindling.common.pools.PoolScheduling;
import io.kindling.schemas.RetryPolicy;
import java.time.Duration;
import java.util.Optional;

/**
 * A pool's scheduling settings with the dispatcher's defaults filled in, and what the dispatcher
 * checks of its backend at submission ({@code standaloneCluster}: a {@code spark-submit} pool in
 * cluster mode on a standalone master, which runs JVM applications only).
 */
public record PoolRules(
        String name,
        int maxRunning,
        int maxRunningPerTenant,
        Optional<Duration> queueTimeout,
        Duration lease,
        Duration aging,
        RetryPolicy retry,
        boolean standaloneCluster) {

    public static final int DEFAULT_LEASE_SECONDS = 30;
    public static final int DEFAULT_AGING_SECONDS = 60;

    public static PoolRules of(PoolConfig pool) {
        PoolScheduling s = pool.scheduling();
        return new PoolRules(
                pool.name(),
                s.maxRunning() == null ? Integer.MAX_VALUE : s.maxRunning(),
                s.maxRunningPerTenant() == null ? Integer.MAX_VALUE : s.maxRunningPerTenant(),
                Optional.ofNullable(s.queueTimeoutSeconds()).map(Duration::ofSeconds),
                Duration.ofSeconds(s.leaseSeconds() == null ? DEFAULT_LEASE_SECONDS : s.leaseSeconds()),
                Duration.ofSeconds(s.agingSeconds() == null ? DEFAULT_AGING_SECONDS : s.agingSeconds()),
                s.retry(),
                standaloneCluster(pool.backend()));
    }

    private static boolean standaloneCluster(PoolBackend backend) {
        return PoolBackend.SPARK_SUBMIT.equals(backend.backend()) && "cluster".equals(backend.deployMode())
                && backend.master() != null && backend.master().startsWith("spark://");
    }
}
