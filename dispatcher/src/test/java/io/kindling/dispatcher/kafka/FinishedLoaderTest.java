package io.kindling.dispatcher.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.dispatcher.lifecycle.JobSnapshot;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The finished jobs' records read field by field give what binding them gives, whatever their shape. */
class FinishedLoaderTest {

    private static JobSnapshot finished(String id, JobState state, String sha, int attempt) {
        return new JobSnapshot(id, state, null, "default", "acme", sha, null, null, attempt, null, null, null, false, null,
                0, 0, 0, false, null, null, false, Instant.parse("2026-12-01T10:00:00.123456Z"), null);
    }

    @Test
    void aFinishedJobsRecordReadFieldByFieldEqualsTheBoundOne() throws Exception {
        JobSnapshot live = new JobSnapshot("l", JobState.RUNNING, null, "default", "acme", "ab".repeat(32),
                Instant.parse("2026-12-01T09:00:00Z"), Instant.parse("2026-12-01T09:00:01Z"), 2, "w1", null, null, true,
                null, 1, 0, 1, true, "cancel", "alice", false, null, java.util.Map.of("traceparent",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        for (JobSnapshot snapshot : List.of(finished("j", JobState.SUCCEEDED, "ab".repeat(32), 1),
                finished("r", JobState.REJECTED, null, 0), live)) {
            byte[] value = Json.encode(snapshot);
            assertThat(FinishedLoader.snapshot(value)).isEqualTo(Json.decode(value, JobSnapshot.class)).isEqualTo(snapshot);
        }
        byte[] withNull = "{\"jobId\":\"n\",\"state\":\"FAILED\",\"pool\":null,\"attempt\":3}".getBytes(
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(FinishedLoader.snapshot(withNull)).isEqualTo(Json.decode(withNull, JobSnapshot.class));
    }
}
