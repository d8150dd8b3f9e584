package io.kindling.common.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.DeadLetter;
import io.kindling.schemas.Json;
import io.kindling.schemas.SchemaValidator;
import io.kindling.schemas.Violation;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
    private final SchemaValidator validator = new SchemaValidator();

    @Test
    void aHugeRecordWithAHugeKeyMessageAndDetailsGivesABoundedValidDeadLetter() {
        byte[] value = new byte[1024 * 1024];
        Arrays.fill(value, (byte) 'x');
        List<Violation> details = IntStream.range(0, 5000)
                .mapToObj(i -> new Violation("$.f" + "y".repeat(5000), "bad " + "z".repeat(5000))).toList();
        DeadLetter letter = DeadLetters.of(new DeadLetters.Source("t", 1, 7L, "k".repeat(100_000), value), "j".repeat(1000), "INVALID",
                "m".repeat(1_000_000), details, Instant.parse("2026-12-05T10:00:00Z"));
        byte[] encoded = Json.encode(letter);
        assertThat(encoded.length).isLessThanOrEqualTo(DeadLetter.MAX_ENCODED_BYTES);
        assertThat(validator.validate(SchemaValidator.Schema.DEAD_LETTER, Json.mapper().valueToTree(letter))).isEmpty();
        assertThat(letter.originalSize()).isEqualTo(1024 * 1024);
        assertThat(letter.originalValueTruncated()).isTrue();
        assertThat(Base64.getDecoder().decode(letter.originalValueBase64())).hasSize(DeadLetter.MAX_PREFIX_BYTES);
        assertThat(letter.originalSha256()).isEqualTo(DeadLetters.sha256(value)).hasSize(64);
        assertThat(letter.originalKey()).hasSize(DeadLetter.MAX_KEY_CHARS);
        assertThat(letter.originalKeyTruncated()).isTrue();
        assertThat(letter.details()).hasSize(DeadLetter.MAX_DETAILS);
        assertThat(letter.sourceOffset()).isEqualTo(7L);
    }

    @Test
    void aSmallRecordIsKeptWholeAndANullValueHasSizeZero() {
        DeadLetter small = DeadLetters.of(new DeadLetters.Source("t", 0, 1L, "k", new byte[] {1, 2, 3}), null, "MALFORMED_JSON", "bad",
                List.of(), Instant.EPOCH);
        assertThat(Base64.getDecoder().decode(small.originalValueBase64())).containsExactly(1, 2, 3);
        assertThat(small.originalValueTruncated()).isNull();
        assertThat(small.originalKeyTruncated()).isNull();
        DeadLetter tombstone = DeadLetters.of(new DeadLetters.Source("t", 0, 2L, null, null), null, "MALFORMED_JSON", "empty",
                List.of(), Instant.EPOCH);
        assertThat(tombstone.originalSize()).isZero();
        assertThat(validator.validate(SchemaValidator.Schema.DEAD_LETTER, Json.mapper().valueToTree(tombstone))).isEmpty();
    }
}
