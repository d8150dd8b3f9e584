package io.kindling.api.http;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/**
 * New job ids: time-ordered UUIDs (version 7: 48 bits of Unix milliseconds, then random bits) in
 * their lowercase string form, so ids sort roughly by submission time and match
 * {@link io.kindling.schemas.Names#JOB_ID}.
 */
public final class JobIdGenerator {
    private final Clock clock;
    private final SecureRandom random;

    public JobIdGenerator(Clock clock, SecureRandom random) {
        this.clock = clock;
        this.random = random;
    }

    public JobIdGenerator() {
        this(Clock.systemUTC(), new SecureRandom());
    }

    public String next() {
        long millis = clock.millis();
        long randA = random.nextLong();
        long randB = random.nextLong();
        long msb = (millis << 16) | 0x7000L | (randA & 0x0FFFL);
        long lsb = (randB & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
