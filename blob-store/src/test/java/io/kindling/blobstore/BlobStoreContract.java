package io.kindling.blobstore;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What every {@link BlobStore} does; each implementation's test extends this. */
abstract class BlobStoreContract {

    private static final Duration CONCURRENCY_DEADLINE = Duration.ofSeconds(60);

    protected BlobStore store;

    /** A new, empty store for one test; {@code testName} may name its directory or container. */
    protected abstract BlobStore openStore(String testName);

    @BeforeEach
    void openStore(TestInfo test) {
        store = openStore(test.getTestMethod().orElseThrow().getName());
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void appendAtZeroCreatesTheBlob() {
        assertThat(store.length("t1/job/driver.log")).isZero();

        append("t1/job/driver.log", 0, "hello ");
        append("t1/job/driver.log", 6, "world");

        assertThat(store.length("t1/job/driver.log")).isEqualTo(11);
        assertThat(text(store.read("t1/job/driver.log", 0, 100))).isEqualTo("hello world");
    }

    @Test
    void appendsTheGivenSliceOfTheArray() {
        byte[] data = "xxabcxx".getBytes(UTF_8);
        store.append("slice", 0, data, 2, 3);

        assertThat(text(store.read("slice", 0, 100))).isEqualTo("abc");
    }

    @Test
    void appendAtTheWrongPositionIsRefusedWithTheActualLengthAndChangesNothing() {
        append("log", 0, "0123456789");

        AppendConflictException behind = catchThrowableOfType(AppendConflictException.class,
                () -> append("log", 4, "dup"));
        AppendConflictException ahead = catchThrowableOfType(AppendConflictException.class,
                () -> append("log", 20, "gap"));
        AppendConflictException recreate = catchThrowableOfType(AppendConflictException.class,
                () -> append("log", 0, "again"));

        assertThat(behind.actualLength()).isEqualTo(10);
        assertThat(behind.expectedLength()).isEqualTo(4);
        assertThat(ahead.actualLength()).isEqualTo(10);
        assertThat(recreate.actualLength()).isEqualTo(10);
        assertThat(store.length("log")).isEqualTo(10);
        assertThat(text(store.read("log", 0, 100))).isEqualTo("0123456789");
    }

    @Test
    void appendPastZeroToAMissingBlobIsAConflictAtZeroAndCreatesNothing() {
        AppendConflictException conflict = catchThrowableOfType(AppendConflictException.class,
                () -> append("missing", 5, "x"));

        assertThat(conflict.actualLength()).isZero();
        assertThat(store.read("missing", 0, 10)).isEmpty();
        assertThat(store.list("")).isEmpty();
    }

    @Test
    void aZeroByteAppendOnlyChecksThePositionAndCreatesAtZero() {
        store.append("empty", 0, new byte[0], 0, 0);
        assertThat(store.read("empty", 0, 10)).hasValueSatisfying(read -> {
            assertThat(read.bytes()).isEmpty();
            assertThat(read.blobLength()).isZero();
        });

        append("empty", 0, "abc");
        store.append("empty", 3, new byte[0], 0, 0);
        AppendConflictException conflict = catchThrowableOfType(AppendConflictException.class,
                () -> store.append("empty", 1, new byte[0], 0, 0));

        assertThat(conflict.actualLength()).isEqualTo(3);
        assertThat(store.length("empty")).isEqualTo(3);
    }

    @Test
    void everyNonEmptyAppendCommitsOneBlock() {
        assertThat(store.committedBlockCount("blocks")).isZero();
        store.append("blocks", 0, new byte[0], 0, 0);
        assertThat(store.committedBlockCount("blocks")).isZero();

        append("blocks", 0, "a");
        append("blocks", 1, "bc");
        store.append("blocks", 3, new byte[0], 0, 0);
        assertThatThrownBy(() -> append("blocks", 1, "refused")).isInstanceOf(AppendConflictException.class);

        assertThat(store.committedBlockCount("blocks")).isEqualTo(2);
        assertThat(store.list("blocks")).containsExactly("blocks");
    }

    @Test
    void appendsAtMostFourMebibytes() {
        byte[] max = new byte[BlobStore.MAX_APPEND_BYTES];
        max[max.length - 1] = 42;
        store.append("big", 0, max, 0, max.length);

        assertThatThrownBy(() -> store.append("big", max.length, new byte[BlobStore.MAX_APPEND_BYTES + 1], 0,
                BlobStore.MAX_APPEND_BYTES + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(BlobStore.MAX_APPEND_BYTES));
        assertThat(store.length("big")).isEqualTo(BlobStore.MAX_APPEND_BYTES);
        assertThat(store.read("big", max.length - 1, 10).orElseThrow().bytes()).containsExactly(42);
    }

    @Test
    void rejectsASliceOutsideTheArrayAndANegativePosition() {
        assertThatThrownBy(() -> store.append("x", 0, new byte[4], 2, 3))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> store.append("x", -1, new byte[4], 0, 4))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.read("x", -1, 4))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.list("")).isEmpty();
    }

    @Test
    void readsRanges() {
        append("r", 0, "0123456789");

        assertThat(read("r", 0, 3)).isEqualTo(new Read("012", 10));
        assertThat(read("r", 4, 3)).isEqualTo(new Read("456", 10));
        assertThat(read("r", 8, 100)).isEqualTo(new Read("89", 10));
        assertThat(read("r", 9, 1)).isEqualTo(new Read("9", 10));
        assertThat(read("r", 3, 0)).isEqualTo(new Read("", 10));
    }

    @Test
    void readingAtOrPastTheEndGivesNoBytesAndTheLength() {
        append("r", 0, "abc");

        assertThat(read("r", 3, 10)).isEqualTo(new Read("", 3));
        assertThat(read("r", 1_000, 10)).isEqualTo(new Read("", 3));
    }

    @Test
    void readingAnEmptyBlobGivesNoBytes() {
        store.append("empty", 0, new byte[0], 0, 0);

        assertThat(read("empty", 0, 10)).isEqualTo(new Read("", 0));
    }

    @Test
    void aMissingBlobReadsAsEmptyAndHasLengthZero() {
        assertThat(store.read("nope/never", 0, 10)).isEmpty();
        assertThat(store.get("nope/never")).isEmpty();
        assertThat(store.length("nope/never")).isZero();
    }

    @Test
    void putOverwritesWholeBlobs() {
        store.put("t1/index.json", "{\"v\":1}".getBytes(UTF_8));
        assertThat(store.get("t1/index.json")).hasValueSatisfying(b -> assertThat(new String(b, UTF_8)).isEqualTo("{\"v\":1}"));

        store.put("t1/index.json", "{}".getBytes(UTF_8));
        assertThat(store.get("t1/index.json")).hasValueSatisfying(b -> assertThat(new String(b, UTF_8)).isEqualTo("{}"));

        store.put("t1/empty", new byte[0]);
        assertThat(store.get("t1/empty")).hasValueSatisfying(b -> assertThat(b).isEmpty());
        assertThat(store.list("t1/")).containsExactly("t1/empty", "t1/index.json");
    }

    @Test
    void listsPathsUnderAPrefixSorted() {
        store.put("b/2", bytes("x"));
        append("a/b/c", 0, "x");
        store.put("a/bc", bytes("x"));
        append("a/a", 0, "x");
        store.put("a/b/a=1/z.log", bytes("x"));
        store.put("c", bytes("x"));

        assertThat(store.list("")).containsExactly("a/a", "a/b/a=1/z.log", "a/b/c", "a/bc", "b/2", "c");
        assertThat(store.list("a/")).containsExactly("a/a", "a/b/a=1/z.log", "a/b/c", "a/bc");
        assertThat(store.list("a/b/")).containsExactly("a/b/a=1/z.log", "a/b/c");
        assertThat(store.list("a/b")).containsExactly("a/b/a=1/z.log", "a/b/c", "a/bc");
        assertThat(store.list("a/b/c")).containsExactly("a/b/c");
        assertThat(store.list("zzz/")).isEmpty();
        assertThat(store.list("a/x")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "/x", "a//b", "a/b c", "", "a/", "a/../b", "./a", "a/.", "a\\b", "a\nb",
            "t%2F..", "é", "a/b?c", "a:b"})
    void rejectsInvalidPaths(String path) {
        List<Consumer<String>> operations = List.of(
                p -> store.length(p),
                p -> store.append(p, 0, bytes("x"), 0, 1),
                p -> store.read(p, 0, 10),
                p -> store.put(p, bytes("x")),
                p -> store.get(p));
        for (Consumer<String> operation : operations) {
            assertThatThrownBy(() -> operation.accept(path))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Invalid blob path");
        }
        assertThat(store.list("")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"../", "/", "a//", "a b", "a/../"})
    void rejectsInvalidPrefixes(String prefix) {
        assertThatThrownBy(() -> store.list(prefix))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid blob path prefix");
    }

    @Test
    void concurrentAppendersThatRetryOnConflictNeitherDuplicateNorLose() throws Exception {
        int writers = 2;
        int recordsEach = 25;
        ExecutorService executor = Executors.newFixedThreadPool(writers);
        try {
            CyclicBarrier bothAtZero = new CyclicBarrier(writers);
            List<Future<Integer>> conflicts = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String writer = "w" + w;
                conflicts.add(executor.submit(() -> appendRecords("shared.log", writer, recordsEach, bothAtZero)));
            }
            int totalConflicts = 0;
            for (Future<Integer> future : conflicts) {
                totalConflicts += future.get(CONCURRENCY_DEADLINE.toSeconds(), TimeUnit.SECONDS);
            }

            List<String> lines = List.of(text(store.read("shared.log", 0, 1 << 20)).split("\n"));
            List<String> expected = IntStream.range(0, writers).boxed()
                    .flatMap(w -> IntStream.range(0, recordsEach).mapToObj(i -> record("w" + w, i)))
                    .toList();
            assertThat(lines).containsExactlyInAnyOrderElementsOf(expected);
            for (int w = 0; w < writers; w++) {
                String writer = "w" + w;
                assertThat(lines.stream().filter(line -> line.startsWith(writer + ":")))
                        .as("each writer's records in its own order")
                        .containsExactlyElementsOf(expected.stream().filter(line -> line.startsWith(writer + ":")).toList());
            }
            assertThat(totalConflicts).as("both started at 0, so one conflicted at least once").isPositive();
        } finally {
            executor.shutdownNow();
            assertThat(executor.awaitTermination(CONCURRENCY_DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aConditionalCreateSucceedsOnceAndAConditionalReplaceOnlyOverTheVersionRead() {
        String v1 = store.putIfVersion("t/job/1/index.json", bytes("one"), null);
        assertThatThrownBy(() -> store.putIfVersion("t/job/1/index.json", bytes("other"), null))
                .isInstanceOf(PreconditionFailedException.class);

        VersionedBlob read = store.getVersioned("t/job/1/index.json").orElseThrow();
        assertThat(new String(read.data(), UTF_8)).isEqualTo("one");
        assertThat(read.version()).isEqualTo(v1);

        String v2 = store.putIfVersion("t/job/1/index.json", bytes("two"), v1);
        assertThat(v2).isNotEqualTo(v1);
        assertThatThrownBy(() -> store.putIfVersion("t/job/1/index.json", bytes("stale"), v1))
                .isInstanceOf(PreconditionFailedException.class);
        assertThat(store.get("t/job/1/index.json").map(b -> new String(b, UTF_8))).contains("two");
        assertThat(store.getVersioned("t/job/1/index.json").orElseThrow().version()).isEqualTo(v2);
        assertThat(store.getVersioned("t/job/2/index.json")).isEmpty();
        assertThatThrownBy(() -> store.putIfVersion("t/job/2/index.json", bytes("x"), v2))
                .as("a version of a blob that does not exist").isInstanceOf(PreconditionFailedException.class);
        assertThat(store.list("t/job/")).containsExactly("t/job/1/index.json");
    }

    @Test
    void concurrentConditionalWritersNeverLoseAnUpdate() throws Exception {
        int writers = 3;
        int incrementsEach = 15;
        store.putIfVersion("counter", bytes("0"), null);
        ExecutorService executor = Executors.newFixedThreadPool(writers);
        try {
            CyclicBarrier start = new CyclicBarrier(writers);
            List<Future<Integer>> refusals = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                refusals.add(executor.submit(() -> increment("counter", incrementsEach, start)));
            }
            int totalRefusals = 0;
            for (Future<Integer> future : refusals) {
                totalRefusals += future.get(CONCURRENCY_DEADLINE.toSeconds(), TimeUnit.SECONDS);
            }
            assertThat(store.get("counter").map(b -> new String(b, UTF_8))).contains(Integer.toString(writers * incrementsEach));
            assertThat(totalRefusals).as("writers raced, and lost races were refused, not applied").isPositive();
        } finally {
            executor.shutdownNow();
            assertThat(executor.awaitTermination(CONCURRENCY_DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
    }

    /** Read-modify-write with a conditional put, again on every refusal; the refusals seen. */
    private int increment(String path, int times, CyclicBarrier start) throws Exception {
        int refusals = 0;
        start.await(CONCURRENCY_DEADLINE.toSeconds(), TimeUnit.SECONDS);
        for (int i = 0; i < times; i++) {
            while (true) {
                VersionedBlob current = store.getVersioned(path).orElseThrow();
                int value = Integer.parseInt(new String(current.data(), UTF_8));
                try {
                    store.putIfVersion(path, bytes(Integer.toString(value + 1)), current.version());
                    break;
                } catch (PreconditionFailedException e) {
                    refusals++;
                }
            }
        }
        return refusals;
    }

    /** Appends records one at a time, moving to the actual length on every conflict; the conflicts seen. */
    private int appendRecords(String path, String writer, int count, CyclicBarrier start) throws Exception {
        int conflicts = 0;
        long position = store.length(path);
        start.await(CONCURRENCY_DEADLINE.toSeconds(), TimeUnit.SECONDS);
        for (int i = 0; i < count; i++) {
            byte[] record = bytes(record(writer, i) + "\n");
            while (true) {
                try {
                    store.append(path, position, record, 0, record.length);
                    position += record.length;
                    break;
                } catch (AppendConflictException e) {
                    conflicts++;
                    position = e.actualLength();
                }
            }
        }
        return conflicts;
    }

    private static String record(String writer, int i) {
        return writer + ":" + i + ":" + "x".repeat(i % 7);
    }

    protected void append(String path, long at, String text) {
        byte[] data = bytes(text);
        store.append(path, at, data, 0, data.length);
    }

    protected Read read(String path, long offset, int maxBytes) {
        BlobRead read = store.read(path, offset, maxBytes).orElseThrow();
        return new Read(new String(read.bytes(), UTF_8), read.blobLength());
    }

    protected static String text(Optional<BlobRead> read) {
        return new String(read.orElseThrow().bytes(), UTF_8);
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    protected record Read(String text, long blobLength) {
    }
}
