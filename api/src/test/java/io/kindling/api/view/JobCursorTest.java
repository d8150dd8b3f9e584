package io.kindling.api.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobCursorTest {
    private static final Instant T0 = Instant.parse("2026-11-21T06:00:00.123456789Z");

    @Test
    void encodesAsOpaqueBase64UrlAndDecodesBack() {
        JobCursor cursor = new JobCursor(T0, "job-1");
        String text = cursor.encode();
        assertThat(text).matches("^[A-Za-z0-9_-]+$");
        assertThat(JobCursor.decode(text)).isEqualTo(cursor);
        assertThat(new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8))
                .isEqualTo("2026-11-21T06:00:00.123456789Z job-1");
    }

    @Test
    void ordersNewestFirstThenByIdDescending() {
        JobCursor older = new JobCursor(T0, "b");
        JobCursor newer = new JobCursor(T0.plusMillis(1), "a");
        JobCursor sameTimeA = new JobCursor(T0, "a");
        List<JobCursor> sorted = new ArrayList<>(List.of(sameTimeA, older, newer));
        sorted.sort(JobCursor.NEWEST_FIRST);
        assertThat(sorted).containsExactly(newer, older, sameTimeA);
    }

    @Test
    void refusesWhatItDidNotProduce() {
        for (String bad : List.of("%%%", "bm90aGluZw", enc("2026-11-21T06:00:00Z"), enc("yesterday job-1"),
                enc("2026-11-21T06:00:00Z Not_An_Id"))) {
            assertThatThrownBy(() -> JobCursor.decode(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static String enc(String plain) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }
}
