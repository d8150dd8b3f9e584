package io.kindling.schemas;

import java.time.Instant;
import java.util.List;

/**
 * A record that could not be accepted, with the reason and enough of the original to find and
 * recognise it: its coordinates, its key (at most {@value #MAX_KEY_CHARS} characters), its size,
 * the sha256 of its value and at most the first {@value #MAX_PREFIX_BYTES} bytes of the value
 * (base64). A dead letter is never larger than {@value #MAX_ENCODED_BYTES} bytes encoded.
 */
public record DeadLetter(
        String sourceTopic,
        Integer sourcePartition,
        Long sourceOffset,
        String originalKey,
        Boolean originalKeyTruncated,
        Integer originalSize,
        String originalSha256,
        String originalValueBase64,
        Boolean originalValueTruncated,
        String jobId,
        String reason,
        String message,
        List<Violation> details,
        Instant time) {

    public static final int MAX_PREFIX_BYTES = 4096;
    public static final int MAX_KEY_CHARS = 256;
    public static final int MAX_MESSAGE_CHARS = 2048;
    public static final int MAX_DETAILS = 20;
    public static final int MAX_DETAIL_CHARS = 512;
    public static final int MAX_ENCODED_BYTES = 64 * 1024;
}
