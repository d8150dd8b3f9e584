package io.kindling.common.deadletter;

import io.kindling.schemas.DeadLetter;
import io.kindling.schemas.Violation;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Builds bounded dead letters, for every component that dead-letters (the dispatcher, workers,
 * the api): whatever the record's size, a dead letter keeps its coordinates, its key (truncated),
 * its size, the sha256 of its value and at most the first {@value DeadLetter#MAX_PREFIX_BYTES}
 * bytes, so it always fits in one record (never more than {@value DeadLetter#MAX_ENCODED_BYTES}
 * bytes encoded).
 */
public final class DeadLetters {
    private DeadLetters() {
    }

    /** Where the refused record was, and what it held. */
    public record Source(String topic, int partition, long offset, String key, byte[] value) {
    }

    public static DeadLetter of(Source source, String jobId, String reason, String message, List<Violation> details,
            Instant now) {
        byte[] value = source.value() == null ? new byte[0] : source.value();
        byte[] prefix = value.length > DeadLetter.MAX_PREFIX_BYTES ? Arrays.copyOf(value, DeadLetter.MAX_PREFIX_BYTES) : value;
        String key = source.key();
        boolean keyTruncated = key != null && key.length() > DeadLetter.MAX_KEY_CHARS;
        List<Violation> kept = details.stream().limit(DeadLetter.MAX_DETAILS)
                .map(v -> new Violation(truncate(v.field(), DeadLetter.MAX_DETAIL_CHARS),
                        truncate(v.problem(), DeadLetter.MAX_DETAIL_CHARS)))
                .toList();
        return new DeadLetter(truncate(source.topic(), 255), source.partition(), source.offset(),
                keyTruncated ? key.substring(0, DeadLetter.MAX_KEY_CHARS) : key, keyTruncated ? Boolean.TRUE : null,
                value.length, sha256(value), Base64.getEncoder().encodeToString(prefix),
                value.length > prefix.length ? Boolean.TRUE : null,
                truncate(jobId, DeadLetter.MAX_KEY_CHARS), reason,
                truncate(message == null ? reason : message, DeadLetter.MAX_MESSAGE_CHARS), kept, now);
    }

    /** At most {@code max} characters of {@code s}, ending with "…" when cut. */
    public static String truncate(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        return s.substring(0, max - 1) + "…";
    }

    static String sha256(byte[] value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
