package io.kindling.api.limits;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * Submissions per principal: a Resilience4j {@link RateLimiter} per principal name, refilled every
 * second, never waiting (a request over the limit is refused at once).
 */
public final class SubmitRateLimiter {
    private final RateLimiterRegistry registry;

    public SubmitRateLimiter(int perSecond) {
        this.registry = RateLimiterRegistry.of(RateLimiterConfig.custom()
                .limitForPeriod(perSecond)
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO)
                .build());
    }

    /**
     * Takes one submission permit for {@code principal}.
     *
     * @return empty if allowed, else the seconds to wait before the next permit (at least 1)
     */
    public OptionalLong acquire(String principal) {
        RateLimiter limiter = registry.rateLimiter(principal);
        if (limiter.acquirePermission()) {
            return OptionalLong.empty();
        }
        long nanos = limiter instanceof io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter atomic
                ? atomic.getDetailedMetrics().getNanosToWait() : Duration.ofSeconds(1).toNanos();
        return OptionalLong.of(Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L));
    }
}
