package io.kindling.blobstore;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.testsupport.files.DirectoryTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class LocalDirBlobStoreTest extends BlobStoreContract {

    @TempDir
    Path root;

    @Override
    protected BlobStore openStore(String testName) {
        return new LocalDirBlobStore(root.resolve(testName));
    }

    private Path storeRoot() {
        return ((LocalDirBlobStore) store).root();
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a pipe opened blocks, deaf to an interrupt
    void aLinkOrAPipeUnderTheRootIsNoBlob() throws Exception {
        Path outside = Files.writeString(root.resolve("outside.txt"), "not a blob");
        Files.createDirectories(storeRoot().resolve("t1/j1"));
        Files.createSymbolicLink(storeRoot().resolve("t1/j1/driver.log"), outside);
        Process mkfifo = new ProcessBuilder("mkfifo", storeRoot().resolve("t1/j1/index.json").toString()).start();
        assertThat(mkfifo.waitFor()).isZero();

        assertThat(store.get("t1/j1/driver.log")).isEmpty();
        assertThat(store.read("t1/j1/driver.log", 0, 100)).isEmpty();
        assertThat(store.length("t1/j1/driver.log")).isZero();
        assertThat(store.get("t1/j1/index.json")).isEmpty(); // not opened: a pipe would block the reader
        assertThat(store.get("t1/j1/missing.json")).isEmpty();
    }

    @Test
    void keepsBlobsAsFilesUnderTheRoot() throws IOException {
        append("t1/j1/driver.log", 0, "abc");
        store.put("t1/j1/index.json", bytes("{}"));

        assertThat(Files.readString(storeRoot().resolve("t1/j1/driver.log"))).isEqualTo("abc");
        assertThat(Files.readString(storeRoot().resolve("t1/j1/index.json"))).isEqualTo("{}");
    }

    @Test
    void putLeavesNoTemporaryFilesAndListIgnoresStrayOnes() throws IOException {
        store.put("a/index.json", bytes("1"));
        store.put("a/index.json", bytes("2"));
        Files.writeString(storeRoot().resolve("a/index.json~crashed-put"), "partial");
        Files.writeString(storeRoot().resolve("a/not a blob"), "x");

        assertThat(store.list("")).containsExactly("a/index.json");
        try (Stream<Path> files = Files.list(storeRoot().resolve("a"))) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder("index.json", "index.json~crashed-put", "not a blob");
        }
    }

    @Test
    void aDirectoryIsNotABlob() {
        append("a/b", 0, "x");

        assertThat(store.get("a")).isEmpty();
        assertThat(store.read("a", 0, 10)).isEmpty();
        assertThat(store.length("a")).isZero();
        assertThatThrownBy(() -> append("a", 0, "x")).isInstanceOf(BlobStoreException.class)
                .satisfies(e -> assertThat(((BlobStoreException) e).transientFailure()).isFalse());
    }

    @Test
    void aBlobWhereADirectoryBelongsIsRefusedAndNewDirectoriesAreCreatedAtAnyDepth() {
        append("a/b", 0, "x");

        assertThatThrownBy(() -> append("a/b/c", 0, "y")).isInstanceOf(BlobStoreException.class);
        assertThatThrownBy(() -> store.putIfVersion("a/b/c/index.json", bytes("{}"), null))
                .isInstanceOf(BlobStoreException.class);
        store.put("d/e/f/g/index.json", bytes("{}"));
        append("d/e/h/i/stdout", 0, "z");
        assertThat(store.list("d/")).containsExactly("d/e/f/g/index.json", "d/e/h/i/stdout");
    }

    @Test
    void aDirectoryRemovedBehindTheStoresBackIsCreatedAgain() throws IOException {
        store.put("t/j1/1/index.json", bytes("1"));
        append("t/j1/1/stdout", 0, "a");
        deleteTree(storeRoot().resolve("t"));

        store.put("t/j1/1/index.json", bytes("2"));
        deleteTree(storeRoot().resolve("t/j1"));
        append("t/j1/1/stdout", 0, "b");
        deleteTree(storeRoot().resolve("t"));
        store.putIfVersion("t/j1/1/index.json", bytes("3"), null);
        deleteTree(storeRoot().resolve("t/j1/1"));
        store.putIfVersion("t/j1/1/index.json", bytes("4"), null);
        String version = store.getVersioned("t/j1/1/index.json").orElseThrow().version();
        deleteTree(storeRoot().resolve("t")); // a replace takes its lock sidecar's way
        assertThatThrownBy(() -> store.putIfVersion("t/j1/1/index.json", bytes("5"), version))
                .isInstanceOf(PreconditionFailedException.class);

        store.putIfVersion("t/j2/1/index.json", bytes("6"), null);
        assertThat(store.list("t/")).containsExactly("t/j2/1/index.json");
    }

    private static void deleteTree(Path dir) throws IOException {
        assertThat(dir).isDirectory();
        DirectoryTrees.delete(dir);
    }

    @Test
    void twoStoresOnOneDirectoryShareTheAppendLocks() throws Exception {
        LocalDirBlobStore other = new LocalDirBlobStore(storeRoot());
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> writers = List.of(
                    executor.submit(() -> appendWithRetry(store, "w0", 200)),
                    executor.submit(() -> appendWithRetry(other, "w1", 200)));
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
            assertThat(executor.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            other.close();
        }
        String[] lines = new String(store.get("shared").orElseThrow(), UTF_8).split("\n");
        assertThat(lines).hasSize(400).doesNotHaveDuplicates();
    }

    private static void appendWithRetry(BlobStore target, String writer, int count) {
        long position = 0;
        for (int i = 0; i < count; i++) {
            byte[] line = (writer + "-" + i + "\n").getBytes(UTF_8);
            while (true) {
                try {
                    target.append("shared", position, line, 0, line.length);
                    position += line.length;
                    break;
                } catch (AppendConflictException e) {
                    position = e.actualLength();
                }
            }
        }
    }

    @Test
    void aConditionalCreateLeavesNoLockOrTemporaryFileBesideTheBlob() throws IOException {
        store.putIfVersion("a/index.json", bytes("1"), null);

        assertThatThrownBy(() -> store.putIfVersion("a/index.json", bytes("2"), null))
                .isInstanceOf(PreconditionFailedException.class);
        assertThat(store.get("a/index.json")).hasValueSatisfying(data -> assertThat(data).isEqualTo(bytes("1")));
        try (Stream<Path> files = Files.list(storeRoot().resolve("a"))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("index.json");
        }
    }

    @Test
    void concurrentCreatesThroughTwoStoresOnOneDirectoryLetExactlyOneWin() throws Exception {
        LocalDirBlobStore other = new LocalDirBlobStore(storeRoot());
        int writers = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService executor = Executors.newFixedThreadPool(writers);
        List<Future<Boolean>> created = new ArrayList<>();
        try {
            for (int i = 0; i < writers; i++) {
                BlobStore target = i % 2 == 0 ? store : other;
                byte[] data = bytes("writer-" + i);
                created.add(executor.submit(() -> {
                    go.await();
                    try {
                        target.putIfVersion("race/index.json", data, null);
                        return true;
                    } catch (PreconditionFailedException e) {
                        return false;
                    }
                }));
            }
            go.countDown();
            List<Integer> winners = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                if (created.get(i).get(60, TimeUnit.SECONDS)) {
                    winners.add(i);
                }
            }
            assertThat(winners).hasSize(1);
            assertThat(new String(store.get("race/index.json").orElseThrow(), UTF_8))
                    .isEqualTo("writer-" + winners.get(0));
        } finally {
            executor.shutdownNow();
            assertThat(executor.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            other.close();
        }
    }

    @Test
    void opensTheConfiguredDirectory() {
        try (BlobStore opened = BlobStores.open(BlobStoreConfig.local(root.resolve("configured")))) {
            assertThat(opened).isInstanceOf(LocalDirBlobStore.class);
            assertThat(((LocalDirBlobStore) opened).root()).isEqualTo(root.resolve("configured"));
            assertThat(root.resolve("configured")).isDirectory();
        }
    }
}
