package io.kindling.schemas;

import java.time.Instant;
import java.util.List;

/** A record that could not be accepted, with its original bytes (base64) and the reason. */
public record DeadLetter(
        String sourceTopic,
        Integer sourcePartition,
        Long sourceOffset,
        String originalKey,
        String originalValueBase64,
        String jobId,
        String reason,
        String message,
        List<Violation> details,
        Instant time) {
}
