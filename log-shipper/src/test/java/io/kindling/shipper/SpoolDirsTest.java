package io.kindling.shipper;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.common.spool.FreeAttemptDirs;
import io.kindling.common.spool.SpoolLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolDirsTest {
    @TempDir
    Path root;

    private Path attempt(SpoolLayout spool, String id) throws IOException {
        Path dir = spool.attemptDir(id);
        Files.createDirectories(spool.eventLogDir(id).resolve("eventlog_v2_app-1"));
        Files.writeString(spool.attemptFile(id), "{}");
        Files.writeString(spool.stream(id, "stdout"), "out");
        Files.writeString(spool.exitFile(id), "{}");
        Files.writeString(spool.eventLogDir(id).resolve("eventlog_v2_app-1/events_1_app-1"), "e");
        Files.writeString(spool.eventLogDir(id).resolve("eventlog_v2_app-1/appstatus_app-1"), "");
        return dir;
    }

    private String[] entries() throws IOException {
        return entries(root);
    }

    private static String[] entries(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        }
    }

    @Test
    void removesAnAttemptWithNestedDirectoriesAndLeavesTheOthers() throws IOException {
        SpoolLayout spool = new SpoolLayout(root);
        SpoolDirs dirs = new SpoolDirs(spool, 0);
        attempt(spool, "job-1-a1");
        attempt(spool, "job-2-a1");
        Files.createDirectories(root.resolve(".exits"));

        assertThat(dirs.attemptIds()).containsExactly("job-1-a1", "job-2-a1");
        dirs.remove("job-1-a1");
        dirs.remove("job-1-a1"); // removed already: nothing to do

        assertThat(entries()).containsExactly(".exits", "job-2-a1");
        assertThat(dirs.attemptIds()).containsExactly("job-2-a1");
    }

    @Test
    void anAttemptIsOneOnceItsAttemptFileIsThereAndUntilItsDirectoryIsGone() throws IOException {
        SpoolLayout spool = new SpoolLayout(root);
        SpoolDirs dirs = new SpoolDirs(spool, 0);
        Files.createDirectories(spool.attemptDir("job-1-a1")); // the worker has not written attempt.json yet

        assertThat(dirs.attemptIds()).isEmpty();
        Files.writeString(spool.attemptFile("job-1-a1"), "{}");
        assertThat(dirs.attemptIds()).containsExactly("job-1-a1");
        assertThat(dirs.attemptIds()).containsExactly("job-1-a1");
        SpoolDirs.deleteTree(spool.attemptDir("job-1-a1")); // another shipper removed it
        assertThat(dirs.attemptIds()).isEmpty();
    }

    @Test
    void aRemovalCutShortByACrashIsFinishedByTheNextScanOrRemoval() throws IOException {
        SpoolLayout spool = new SpoolLayout(root);
        SpoolDirs dirs = new SpoolDirs(spool, 0);
        // a crash after the rename, half-way through the deletion: hidden, so never shipped again
        Path crashed = attempt(spool, "job-1-a1");
        Files.delete(spool.stream("job-1-a1", "stdout"));
        Files.move(crashed, root.resolve(SpoolDirs.REMOVING_PREFIX + "job-1-a1"));
        // the same attempt id left hidden while the attempt itself is still to remove
        attempt(spool, "job-2-a1");
        Path stale = Files.createDirectories(root.resolve(SpoolDirs.REMOVING_PREFIX + "job-2-a1/eventlog"));
        Files.writeString(stale.resolve("app-1"), "e");

        dirs.remove("job-2-a1");
        assertThat(entries()).containsExactly(SpoolDirs.REMOVING_PREFIX + "job-1-a1");
        assertThat(dirs.attemptIds()).isEmpty();
        assertThat(entries()).isEmpty();
    }

    @Test
    void noSpoolDirectoryIsAnEmptySpool() throws IOException {
        SpoolLayout spool = new SpoolLayout(root.resolve("not-yet"));
        SpoolDirs dirs = new SpoolDirs(spool, 0);

        assertThat(dirs.attemptIds()).isEmpty();
        SpoolDirs.deleteTree(root.resolve("not-yet"));
        assertThat(root.resolve("not-yet")).doesNotExist();
    }

    @Test
    void aShippedDirectoryIsKeptWithOnlyItsEmptiedJsonFilesWhileThereIsRoom() throws IOException {
        SpoolLayout spool = new SpoolLayout(root);
        Path first = attempt(spool, "job-1-a1");
        Files.createLink(first.resolve("reported"), spool.exitFile("job-1-a1"));
        attempt(spool, "job-2-a1");
        SpoolDirs dirs = new SpoolDirs(spool, 1);

        dirs.remove("job-1-a1");
        dirs.remove("job-2-a1"); // no room left: deleted

        assertThat(entries()).containsExactly(FreeAttemptDirs.DIR);
        Path kept = root.resolve(FreeAttemptDirs.DIR).resolve(SpoolDirs.REMOVING_PREFIX + "job-1-a1");
        assertThat(entries(kept)).containsExactly(".attempt.json.tmp", ".exit.json.tmp");
        assertThat(Files.readAllBytes(kept.resolve(".attempt.json.tmp"))).containsOnly((byte) 0); // was "{}"
        assertThat(Files.readAllBytes(kept.resolve(".exit.json.tmp"))).containsOnly((byte) 0);
        assertThat(dirs.attemptIds()).isEmpty();
    }
}
