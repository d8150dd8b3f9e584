package io.kindling.worker.shim;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.common.spool.SpoolLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The spool's small JSON files when something other than a regular file is where one is expected. */
// a pipe opened for reading or writing blocks in the kernel, deaf to an interrupt: the test runs on a thread of its
// own, so a timeout fails it instead of hanging the build
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void writesOverAKeptTemporaryFileAndReadsTheRecordBack() throws Exception {
        Path target = dir.resolve("exit.json");
        Files.writeString(SpoolLayout.temporary(target), "a longer leftover than the record written over it".repeat(10));

        AtomicFiles.writeJson(target, Map.of("exitCode", 3));

        assertThat(AtomicFiles.readJson(target, Map.class)).contains(Map.of("exitCode", 3));
        assertThat(SpoolLayout.temporary(target)).doesNotExist();
    }

    @Test
    void doesNotWriteThroughALinkLeftAtTheTemporaryName() throws Exception {
        Path elsewhere = Files.writeString(dir.resolve("elsewhere.txt"), "not ours to change");
        Path target = dir.resolve("exit.json");
        Files.createSymbolicLink(SpoolLayout.temporary(target), elsewhere);

        AtomicFiles.writeJson(target, Map.of("exitCode", 0));

        assertThat(elsewhere).hasContent("not ours to change");
        assertThat(Files.isSymbolicLink(target)).isFalse();
        assertThat(AtomicFiles.readJson(target, Map.class)).contains(Map.of("exitCode", 0));
    }

    @Test
    void doesNotBlockOnAPipeLeftAtTheTemporaryName() throws Exception {
        Path target = dir.resolve("stop.json");
        mkfifo(SpoolLayout.temporary(target));

        AtomicFiles.writeJson(target, Map.of("reason", "cancelled"));

        assertThat(AtomicFiles.readJson(target, Map.class)).contains(Map.of("reason", "cancelled"));
    }

    @Test
    void readsNothingFromAPipeALinkOrAMissingFile() throws Exception {
        Path pipe = dir.resolve("exit.json");
        mkfifo(pipe);
        Path record = dir.resolve("record.json");
        AtomicFiles.writeJson(record, Map.of("exitCode", 1));
        Path link = Files.createSymbolicLink(dir.resolve("shim.json"), record);

        assertThat(AtomicFiles.readJson(pipe, Map.class)).isEmpty();
        assertThat(AtomicFiles.readJson(link, Map.class)).isEmpty();
        assertThat(AtomicFiles.readJson(dir.resolve("attempt.json"), Map.class)).isEmpty();
        assertThat(AtomicFiles.readJson(record, Map.class)).contains(Map.of("exitCode", 1));
    }

    private static void mkfifo(Path path) throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        assertThat(Files.isRegularFile(path)).isFalse();
        assertThat(Files.exists(path)).isTrue();
    }
}
