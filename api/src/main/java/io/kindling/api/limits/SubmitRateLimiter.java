package io.kindling.api.limits;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Submissions per principal: a Resilience4j {@link RateLimiter} per principal name, refilled every
 * second, never waiting (a request over the limit is refused at once). At most
 * {@value #MAX_PRINCIPALS} principals are tracked; past that the limiters start afresh (every
 * principal holds a valid credential, so this bounds memory, not who may submit).
 */
public final class SubmitRateLimiter {
    static final int MAX_PRINCIPALS = 10_000;

    private final RateLimiterConfig config;
    private final ConcurrentHashMap<String, RateLimiter> limiters = new ConcurrentHashMap<>();

    public SubmitRateLimiter(int perSecond) {
        this.config = RateLimiterConfig.custom()
                .limitForPeriod(perSecond)
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO)
                .build();
    }

    /**
     * Takes one submission permit for {@code principal}.
     *
     * @return empty if allowed, else the seconds to wait before the next permit (at least 1)
     */
    public OptionalLong acquire(String principal) {
        if (limiters.size() >= MAX_PRINCIPALS && !limiters.containsKey(principal)) {
            limiters.clear();
        }
        RateLimiter limiter = limiters.computeIfAbsent(principal, name -> RateLimiter.of(name, config));
        if (limiter.acquirePermission()) {
            return OptionalLong.empty();
        }
        long nanos = limiter instanceof AtomicRateLimiter atomic
                ? atomic.getDetailedMetrics().getNanosToWait() : Duration.ofSeconds(1).toNanos();
        return OptionalLong.of(Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L));
    }
}
