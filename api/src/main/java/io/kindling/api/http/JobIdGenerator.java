package io.kindling.api.http;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * New job ids: time-ordered UUIDs (version 7: 48 bits of Unix milliseconds, then random bits) in
 * their lowercase string form, so ids sort roughly by submission time and match
 * {@link #PATTERN}.
 */
public final class JobIdGenerator {
    /** What every job id matches (the same rule as the schemas and the OpenAPI document). */
    public static final Pattern PATTERN = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");

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
