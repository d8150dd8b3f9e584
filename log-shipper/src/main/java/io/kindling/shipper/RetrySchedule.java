package io.kindling.shipper;

import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.time.Instant;

/**
 * When to try an attempt again after the store failed: exponential backoff with jitter, capped.
 * Owned by the shipping thread.
 */
final class RetrySchedule {
    private static final double MULTIPLIER = 2.0;
    private static final double JITTER = 0.5;

    private final IntervalFunction intervals;
    private final long maxMillis;
    private int failures;
    private Instant nextTry = Instant.MIN;

    RetrySchedule(Duration initial, Duration max) {
        this.intervals = IntervalFunction.ofExponentialRandomBackoff(initial, MULTIPLIER, JITTER, max);
        this.maxMillis = max.toMillis();
    }

    boolean due(Instant now) {
        return !now.isBefore(nextTry);
    }

    /** Records a failure and returns how long to wait before the next try. */
    Duration failed(Instant now) {
        failures++;
        long millis = Math.min(intervals.apply(failures), maxMillis);
        nextTry = now.plusMillis(millis);
        return Duration.ofMillis(millis);
    }

    void succeeded() {
        failures = 0;
        nextTry = Instant.MIN;
    }

    int failures() {
        return failures;
    }
}
