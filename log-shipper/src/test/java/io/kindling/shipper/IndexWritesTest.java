package io.kindling.shipper;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.blobstore.LocalDirBlobStore;
import io.kindling.common.logs.LogIndex;
import io.kindling.schemas.Json;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two shippers writing one attempt's index: the race of issue 10 §4, closed by conditional writes. */
class IndexWritesTest {
    private static final String PATH = "t/job/1/index.json";
    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");

    @TempDir
    Path dir;

    private static LogIndex index(long stdout, List<String> eventLogs, boolean complete) {
        return new LogIndex("job", 1, "job-a1", Map.of("stdout", stdout, "stderr", 0L), eventLogs, complete, NOW);
    }

    private LogIndex stored(FlakyBlobStore store) {
        return Json.decode(store.get(PATH).orElseThrow(), LogIndex.class);
    }

    @Test
    void anIncompleteIndexReadBeforeAnotherShipperCompletedItIsNotWrittenOverIt() {
        FlakyBlobStore store = new FlakyBlobStore(new LocalDirBlobStore(dir));
        IndexWrites.write(store, PATH, index(10, List.of(), false));
        // shipper B completes the attempt between shipper A's read and A's write
        store.afterNextVersionedRead(() -> IndexWrites.write(new LocalDirBlobStore(dir), PATH, index(50, List.of("e1"), true)));

        assertThat(IndexWrites.write(store, PATH, index(20, List.of(), false)))
                .isEqualTo(IndexWrites.Outcome.COMPLETED_BY_ANOTHER);
        assertThat(stored(store).complete()).isTrue();
        assertThat(stored(store).streams()).containsEntry("stdout", 50L);
    }

    @Test
    void lengthsAndEventLogsNeverGoBackwards() {
        FlakyBlobStore store = new FlakyBlobStore(new LocalDirBlobStore(dir));
        IndexWrites.write(store, PATH, index(10, List.of(), false));
        store.afterNextVersionedRead(() -> IndexWrites.write(new LocalDirBlobStore(dir), PATH, index(40, List.of("e1"), false)));

        // A's view is older (stdout 30) but it adds an event log: the write is refused, re-read and merged
        assertThat(IndexWrites.write(store, PATH, index(30, List.of("e2"), false))).isEqualTo(IndexWrites.Outcome.WRITTEN);
        assertThat(stored(store).streams()).containsEntry("stdout", 40L);
        assertThat(stored(store).eventLogs()).containsExactlyInAnyOrder("e1", "e2");
        assertThat(IndexWrites.write(store, PATH, index(35, List.of("e1"), false))).isEqualTo(IndexWrites.Outcome.UNCHANGED);
    }

    @Test
    void aCompleteIndexIsWrittenOverAnIncompleteOne() {
        FlakyBlobStore store = new FlakyBlobStore(new LocalDirBlobStore(dir));
        IndexWrites.write(store, PATH, index(10, List.of(), false));
        assertThat(IndexWrites.write(store, PATH, index(12, List.of(), true))).isEqualTo(IndexWrites.Outcome.WRITTEN);
        assertThat(stored(store).complete()).isTrue();
    }
}
