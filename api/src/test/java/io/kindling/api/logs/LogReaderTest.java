package io.kindling.api.logs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.LocalDirBlobStore;
import io.kindling.blobstore.PartedAppendLog;
import io.kindling.common.logs.LogIndex;
import io.kindling.common.logs.LogLayout;
import io.kindling.common.logs.LogStream;
import io.kindling.schemas.Json;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogReaderTest {
    @TempDir
    Path temp;
    private BlobStore blobs;
    private LogReader reader;
    private final LogReader.Target target = new LogReader.Target("acme", "job-1", 1, LogStream.STDERR);

    @BeforeEach
    void setUp() {
        blobs = new LocalDirBlobStore(temp);
        reader = new LogReader(blobs);
    }

    @AfterEach
    void tearDown() {
        blobs.close();
    }

    private void write(String text) {
        byte[] bytes = text.getBytes(UTF_8);
        blobs.append(target.path(), blobs.length(target.path()), bytes, 0, bytes.length);
    }

    @Test
    void aStreamWithoutABlobReadsAsEmptyAndIncomplete() {
        LogReader.Chunk chunk = reader.read(target, 0, 100);
        assertThat(chunk.bytes()).isEmpty();
        assertThat(chunk.exists()).isFalse();
        assertThat(chunk.indexed()).isFalse();
        assertThat(chunk.complete()).isFalse();
        assertThat(reader.tailOffset(target, 5)).isZero();
    }

    @Test
    void anEmptyStreamOfACompleteAttemptHasNoBlobAndReadsAsEmptyAndComplete() {
        // what the log-shipper stores for a stream the driver never wrote to: no blob, length 0 in the index
        blobs.put(LogLayout.index("acme", "job-1", 1), Json.encode(new LogIndex("job-1", 1, "job-1-1",
                Map.of("stdout", 0L, "stderr", 0L), List.of(), true, Instant.now())));
        LogReader.Chunk chunk = reader.read(target, 0, 100);
        assertThat(chunk.bytes()).isEmpty();
        assertThat(chunk.exists()).isFalse();
        assertThat(chunk.indexed()).isTrue();
        assertThat(chunk.complete()).isTrue();
        assertThat(reader.tail(target, 5, 100).complete()).isTrue();
    }

    @Test
    void tailCountsLinesAcrossScanSteps() {
        String line = "x".repeat(LogReader.TAIL_SCAN_BYTES - 1) + "\n"; // one line per scan step
        write(line + line + line);
        assertThat(reader.tailOffset(target, 1)).isEqualTo(2L * line.length());
        assertThat(reader.tailOffset(target, 2)).isEqualTo(line.length());
        assertThat(reader.tailOffset(target, 3)).isZero();
        assertThat(reader.tailOffset(target, 4)).isZero();
    }

    @Test
    void readsAndTailsAcrossTheParts() {
        PartedAppendLog shipper = new PartedAppendLog(blobs, 2);
        String line = "y".repeat(LogReader.TAIL_SCAN_BYTES / 2) + "\n"; // a scan step spans a part boundary
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 7; i++) { // parts of 2, 2, 2 and 1 lines
            byte[] bytes = line.getBytes(UTF_8);
            shipper.append(target.path(), text.length(), bytes, 0, bytes.length);
            text.append(line);
        }

        assertThat(reader.tailOffset(target, 3)).isEqualTo(4L * line.length());
        assertThat(reader.tailOffset(target, 7)).isZero();
        LogReader.Chunk chunk = reader.read(target, line.length() + 5, 3 * line.length());
        assertThat(new String(chunk.bytes(), UTF_8)).isEqualTo(text.substring(line.length() + 5, 4 * line.length() + 5));
        assertThat(chunk.blobLength()).isEqualTo(text.length());
        assertThat(chunk.exists()).isTrue();
        assertThat(reader.tail(target, 1, 1_000_000).bytes()).hasSize(line.length());
    }

    @Test
    void emptyLinesCount() {
        write("a\n\n\nb\n");
        assertThat(reader.tailOffset(target, 1)).isEqualTo(4);
        assertThat(reader.tailOffset(target, 2)).isEqualTo(3);
        assertThat(reader.tailOffset(target, 3)).isEqualTo(2);
    }
}
