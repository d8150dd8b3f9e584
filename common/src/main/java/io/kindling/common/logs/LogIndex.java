package io.kindling.common.logs;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code index.json} of one attempt, written by the log-shipper: the size of each stream in the
 * store and whether the attempt is complete (the driver ended and every byte is in the store).
 */
public record LogIndex(String jobId, int attempt, String attemptId, Map<String, Long> streams, List<String> eventLogs,
        boolean complete, Instant updatedAt) {
    public LogIndex {
        streams = streams == null ? Map.of() : Map.copyOf(streams);
        eventLogs = eventLogs == null ? List.of() : List.copyOf(eventLogs);
    }
}
