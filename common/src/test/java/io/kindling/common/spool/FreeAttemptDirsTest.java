package io.kindling.common.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FreeAttemptDirsTest {
    @TempDir
    Path root;

    /** A shipped attempt's directory, out of sight and emptied down to its two JSON files, as the log-shipper leaves it. */
    private Path shipped(String name) throws IOException {
        Path dir = Files.createDirectories(root.resolve(".removing-" + name));
        Files.writeString(dir.resolve(SpoolLayout.ATTEMPT_FILE), "{\"tenant\":\"team-a\",\"attemptId\":\"" + name + "\"}");
        Files.writeString(dir.resolve(SpoolLayout.EXIT_FILE), "{\"exitCode\":1,\"message\":\"team-a's secret line\"}");
        return dir;
    }

    private static String[] entries(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        }
    }

    @Test
    void aKeptDirectoryHoldsNothingOfItsAttemptAndANewAttemptTakesIt() throws IOException {
        SpoolLayout spool = new SpoolLayout(root);
        FreeAttemptDirs shipper = new FreeAttemptDirs(spool, 4);
        Path shipped = shipped("job-1-a1");
        long inode = inode(shipped.resolve(SpoolLayout.EXIT_FILE));

        assertThat(shipper.keep(shipped)).isTrue();

        Path kept = root.resolve(FreeAttemptDirs.DIR).resolve(shipped.getFileName());
        assertThat(shipped).doesNotExist();
        assertThat(entries(kept)).containsExactly(".attempt.json.tmp", ".exit.json.tmp");
        // zeros over the old bytes: nothing of team-a's attempt, and the disk block kept
        assertThat(Files.readAllBytes(kept.resolve(".attempt.json.tmp"))).hasSize(42).containsOnly((byte) 0);
        assertThat(Files.readAllBytes(kept.resolve(".exit.json.tmp"))).hasSize(47).containsOnly((byte) 0);

        FreeAttemptDirs worker = new FreeAttemptDirs(spool, 0);
        assertThat(worker.reuse(spool.attemptDir("job-2-a1"))).isTrue();
        assertThat(entries(spool.attemptDir("job-2-a1"))).containsExactly(".attempt.json.tmp", ".exit.json.tmp");
        // the same file, so writing the next exit.json through it makes no new inode
        assertThat(inode(SpoolLayout.temporary(spool.exitFile("job-2-a1")))).isEqualTo(inode);
        assertThat(entries(root.resolve(FreeAttemptDirs.DIR))).isEmpty();
        assertThat(worker.reuse(spool.attemptDir("job-3-a1"))).isFalse(); // none left: the worker makes one
        assertThat(spool.attemptDir("job-3-a1")).doesNotExist();
    }

    @Test
    void keepsNoMoreThanItsCapacityAndNoneWithCapacityZero() throws IOException {
        SpoolLayout spool = new SpoolLayout(root);
        FreeAttemptDirs shipper = new FreeAttemptDirs(spool, 2);

        assertThat(shipper.keep(shipped("job-1-a1"))).isTrue();
        assertThat(shipper.keep(shipped("job-2-a1"))).isTrue();
        assertThat(shipper.hasRoom()).isFalse();
        Path third = shipped("job-3-a1");
        assertThat(shipper.keep(third)).isFalse();
        assertThat(entries(third)).containsExactly(SpoolLayout.ATTEMPT_FILE, SpoolLayout.EXIT_FILE); // untouched: deleted by the caller
        assertThat(entries(root.resolve(FreeAttemptDirs.DIR))).hasSize(2);

        assertThat(new FreeAttemptDirs(spool, 0).hasRoom()).isFalse();
    }

    @Test
    void anExistingAttemptDirectoryIsNotReplacedAndTheKeptOneStaysForTheNext() throws IOException {
        SpoolLayout spool = new SpoolLayout(root);
        assertThat(new FreeAttemptDirs(spool, 4).keep(shipped("job-1-a1"))).isTrue();
        Path redelivered = Files.createDirectories(spool.attemptDir("job-2-a1"));
        Files.writeString(redelivered.resolve(SpoolLayout.ATTEMPT_FILE), "{}");
        FreeAttemptDirs worker = new FreeAttemptDirs(spool, 0);

        assertThat(worker.reuse(redelivered)).isFalse();
        assertThat(entries(redelivered)).containsExactly(SpoolLayout.ATTEMPT_FILE);
        assertThat(worker.reuse(spool.attemptDir("job-3-a1"))).isTrue();
    }

    @Test
    void aLinkLeftUnderAKeptNameIsNeitherFollowedNorKept() throws IOException {
        SpoolLayout spool = new SpoolLayout(root);
        Path elsewhere = Files.writeString(root.resolve("another-tenants-file"), "keep me");
        Path shipped = Files.createDirectories(root.resolve(".removing-job-1-a1"));
        Files.writeString(shipped.resolve(SpoolLayout.ATTEMPT_FILE), "{}");
        Files.createSymbolicLink(shipped.resolve(".exit.json.tmp"), elsewhere); // no exit.json: the driver's link stays

        assertThat(new FreeAttemptDirs(spool, 4).keep(shipped)).isFalse();
        assertThat(elsewhere).hasContent("keep me");
        assertThat(root.resolve(FreeAttemptDirs.DIR)).doesNotExist();
    }

    @Test
    void aSpoolWithoutKeptDirectoriesHasNoneToReuse() {
        SpoolLayout spool = new SpoolLayout(root.resolve("not-yet"));

        assertThat(new FreeAttemptDirs(spool, 0).reuse(spool.attemptDir("job-1-a1"))).isFalse();
        assertThat(new FreeAttemptDirs(spool, 1).hasRoom()).isTrue();
    }

    private static long inode(Path file) throws IOException {
        return ((Number) Files.getAttribute(file, "unix:ino")).longValue();
    }
}
