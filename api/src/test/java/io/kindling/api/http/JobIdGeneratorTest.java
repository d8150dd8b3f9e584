package io.kindling.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobIdGeneratorTest {

    @Test
    void idsMatchTheJobIdPatternAndAreUnique() {
        JobIdGenerator ids = new JobIdGenerator();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = ids.next();
            assertThat(id).matches(io.kindling.schemas.Names.JOB_ID);
            assertThat(seen.add(id)).as("unique: %s", id).isTrue();
        }
    }

    @Test
    void idsAreVersion7UuidsThatSortByTime() {
        Instant t = Instant.parse("2026-03-01T12:00:00Z");
        String earlier = new JobIdGenerator(Clock.fixed(t, ZoneOffset.UTC), new SecureRandom()).next();
        String later = new JobIdGenerator(Clock.fixed(t.plusMillis(1), ZoneOffset.UTC), new SecureRandom()).next();

        assertThat(UUID.fromString(earlier).version()).isEqualTo(7);
        assertThat(UUID.fromString(earlier).variant()).isEqualTo(2);
        assertThat(UUID.fromString(earlier).getMostSignificantBits() >>> 16).isEqualTo(t.toEpochMilli());
        assertThat(later).isGreaterThan(earlier);
    }
}
