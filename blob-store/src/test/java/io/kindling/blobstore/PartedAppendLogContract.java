package io.kindling.blobstore;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** What {@link PartedAppendLog} does over any {@link BlobStore}, with a limit of 5 blocks per part. */
abstract class PartedAppendLogContract {

    static final int LIMIT = 5;
    static final String LOG = "logs/acme/job-1/1/stdout";

    protected BlobStore store;
    protected PartedAppendLog log;

    protected abstract BlobStore openStore(String testName);

    @BeforeEach
    void open(TestInfo test) {
        store = openStore(test.getTestMethod().orElseThrow().getName());
        log = new PartedAppendLog(store, LIMIT);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void rollsOverToTheNextPartAtTheBlockLimitAndReadsBackByteExact() {
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        for (int i = 0; i < 2 * LIMIT + 3; i++) {
            byte[] line = ("line " + i + " " + "x".repeat(i) + "\n").getBytes(UTF_8);
            log.append(LOG, written.size(), line, 0, line.length);
            written.writeBytes(line);
            for (String part : store.list(LOG)) {
                assertThat(store.committedBlockCount(part)).as(part).isLessThanOrEqualTo(LIMIT);
            }
        }

        assertThat(store.list(LOG)).containsExactly(LOG, LOG + ".part-0001", LOG + ".part-0002");
        assertThat(store.committedBlockCount(LOG)).isEqualTo(LIMIT);
        assertThat(store.committedBlockCount(LOG + ".part-0001")).isEqualTo(LIMIT);
        assertThat(store.committedBlockCount(LOG + ".part-0002")).isEqualTo(3);
        PartedAppendLog fresh = new PartedAppendLog(store);
        assertThat(fresh.length(LOG)).isEqualTo(written.size());
        assertThat(fresh.read(LOG, 0, Integer.MAX_VALUE).orElseThrow().bytes()).isEqualTo(written.toByteArray());
        assertThat(log.read(LOG, 0, Integer.MAX_VALUE).orElseThrow().bytes()).isEqualTo(written.toByteArray());
    }

    @Test
    void readsAnyLogicalRangeAcrossParts() {
        String text = appendLines(LIMIT * 2 + 1, "abcdefgh\n"); // 11 lines, 9 bytes each: parts of 45, 45, 9
        PartedAppendLog reader = new PartedAppendLog(store, LIMIT);

        for (int offset = 0; offset <= text.length(); offset += 7) {
            for (int limit : new int[] {1, 9, 40, 46, 100}) {
                BlobRead read = reader.read(LOG, offset, limit).orElseThrow();
                assertThat(new String(read.bytes(), UTF_8)).as("offset %d limit %d", offset, limit)
                        .isEqualTo(text.substring(offset, Math.min(text.length(), offset + limit)));
                assertThat(read.blobLength()).isEqualTo(text.length());
            }
        }
        assertThat(reader.read(LOG, 1000, 10).orElseThrow().bytes()).isEmpty();
        assertThat(reader.read(LOG, 0, 0).orElseThrow().blobLength()).isEqualTo(text.length());
        assertThat(reader.partLengths(LOG)).containsExactly(45, 45, 9);
        assertThat(reader.read("logs/acme/job-1/1/stderr", 0, 10)).isEmpty();
        assertThat(reader.length("logs/acme/job-1/1/stderr")).isZero();
    }

    @Test
    void aReaderSeesPartsAddedAfterItLastRead() {
        String first = appendLines(LIMIT, "a\n");
        PartedAppendLog reader = new PartedAppendLog(store, LIMIT);
        assertThat(text(reader.read(LOG, 0, 100))).isEqualTo(first);

        String more = "more\n".repeat(LIMIT + 1);
        appendLines(LIMIT + 1, "more\n", first.length());

        assertThat(text(reader.read(LOG, 0, 100))).isEqualTo(first + more);
        assertThat(reader.length(LOG)).isEqualTo(first.length() + more.length());
    }

    @Test
    void aWriterRestartedAfterSealingAPartCreatesTheNextOne() {
        String sealed = appendLines(LIMIT, "before the crash\n");
        assertThat(store.list(LOG)).containsExactly(LOG); // part 0 sealed, part 1 not created yet

        PartedAppendLog restarted = new PartedAppendLog(store, LIMIT);
        long resumeAt = restarted.length(LOG);
        byte[] next = bytes("after the restart\n");
        restarted.append(LOG, resumeAt, next, 0, next.length);

        assertThat(resumeAt).isEqualTo(sealed.length());
        assertThat(store.list(LOG)).containsExactly(LOG, LOG + ".part-0001");
        assertThat(text(restarted.read(LOG, 0, 1000))).isEqualTo(sealed + "after the restart\n");
    }

    @Test
    void aRetriedAppendThatHadLandedIsAConflictWithTheLogicalLength() {
        String text = appendLines(LIMIT + 2, "0123\n");
        byte[] retried = bytes("retry\n");
        long before = text.length();
        log.append(LOG, before, retried, 0, retried.length);

        PartedAppendLog other = new PartedAppendLog(store, LIMIT);
        AppendConflictException again = catchThrowableOfType(AppendConflictException.class,
                () -> other.append(LOG, before, retried, 0, retried.length));
        AppendConflictException sameWriter = catchThrowableOfType(AppendConflictException.class,
                () -> log.append(LOG, before, retried, 0, retried.length));
        AppendConflictException ahead = catchThrowableOfType(AppendConflictException.class,
                () -> log.append(LOG, before + 100, retried, 0, retried.length));

        long length = before + retried.length;
        assertThat(again.actualLength()).isEqualTo(length);
        assertThat(again.expectedLength()).isEqualTo(before);
        assertThat(again.path()).isEqualTo(LOG);
        assertThat(sameWriter.actualLength()).isEqualTo(length);
        assertThat(ahead.actualLength()).isEqualTo(length);
        assertThat(text(log.read(LOG, 0, 1000))).isEqualTo(text + "retry\n");
    }

    @Test
    void aWriterWithAStaleViewCannotAppendToASealedPart() {
        String first = appendLines(LIMIT - 1, "x\n");
        PartedAppendLog stale = new PartedAppendLog(store, LIMIT);
        byte[] one = bytes("y\n");
        stale.append(LOG, first.length(), one, 0, one.length); // part 0 now sealed, as stale knows
        appendLines(2, "z\n", first.length() + one.length); // another writer: part 1

        AppendConflictException conflict = catchThrowableOfType(AppendConflictException.class,
                () -> stale.append(LOG, first.length() + one.length, one, 0, one.length));

        assertThat(conflict.actualLength()).isEqualTo(first.length() + 2 + 4);
        assertThat(store.committedBlockCount(LOG)).isEqualTo(LIMIT);
        assertThat(text(log.read(LOG, 0, 100))).isEqualTo(first + "y\nz\nz\n");
    }

    @Test
    void aZeroByteAppendCreatesAnEmptyLogOrChecksThePosition() {
        log.append(LOG, 0, new byte[0], 0, 0);
        assertThat(log.read(LOG, 0, 10)).hasValueSatisfying(read -> assertThat(read.blobLength()).isZero());

        String text = appendLines(LIMIT + 1, "ab\n");
        log.append(LOG, text.length(), new byte[0], 0, 0);
        AppendConflictException conflict = catchThrowableOfType(AppendConflictException.class,
                () -> log.append(LOG, 0, new byte[0], 0, 0));

        assertThat(conflict.actualLength()).isEqualTo(text.length());
        assertThat(store.list(LOG)).containsExactly(LOG, LOG + ".part-0001");
    }

    private String appendLines(int count, String line) {
        return appendLines(count, line, 0);
    }

    /** count appends of line through a writer of its own, from position at; returns what they wrote. */
    private String appendLines(int count, String line, long at) {
        PartedAppendLog writer = new PartedAppendLog(store, LIMIT);
        byte[] data = bytes(line);
        long position = at;
        for (int i = 0; i < count; i++) {
            writer.append(LOG, position, data, 0, data.length);
            position += data.length;
        }
        return line.repeat(count);
    }

    private static String text(Optional<BlobRead> read) {
        return new String(read.orElseThrow().bytes(), UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }
}
