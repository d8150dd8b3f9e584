package io.kindling.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.common.spool.FreeAttemptDirs;
import io.kindling.common.spool.SpoolAttempt;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.shim.ShimExit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttemptSpoolTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path root;

    private SpoolLayout layout;
    private AttemptSpool spool;

    @BeforeEach
    void setUp() {
        layout = new SpoolLayout(root);
        spool = new AttemptSpool(layout);
    }

    @Test
    void theAssignmentIsKeptInAttemptJsonAlone() throws Exception {
        RunAssignment run = Runs.python("job-s1", "default", "/apps/pi.py");

        spool.writeAttempt(SpoolAttempt.of(run, "worker-1", NOW));

        SpoolAttempt read = spool.attempt(run.attemptId()).orElseThrow();
        assertThat(read).isEqualTo(SpoolAttempt.of(run, "worker-1", NOW));
        assertThat(spool.run(read)).contains(run);
        try (var files = Files.list(spool.dir(run.attemptId()))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("attempt.json");
        }
    }

    @Test
    void aNewAttemptTakesADirectoryTheLogShipperKeptAndWritesItsFilesThroughTheKeptOnes() throws Exception {
        Path shipped = Files.createDirectories(root.resolve(".removing-job-old-a1"));
        Files.writeString(shipped.resolve("attempt.json"), "{\"tenant\":\"team-a\"}");
        Files.writeString(shipped.resolve("exit.json"), "{\"message\":\"team-a's line" + "x".repeat(500) + "\"}");
        assertThat(new FreeAttemptDirs(layout, 1).keep(shipped)).isTrue();
        Path kept = root.resolve(FreeAttemptDirs.DIR).resolve(shipped.getFileName());
        long attemptInode = inode(kept.resolve(".attempt.json.tmp"));
        long exitInode = inode(kept.resolve(".exit.json.tmp"));
        RunAssignment run = Runs.python("job-s0", "default", "/apps/pi.py");

        spool.writeAttempt(SpoolAttempt.of(run, "worker-1", NOW));
        spool.writeExitIfAbsent(run.attemptId(), new ShimExit(0, NOW, null, null, "local-1", false));

        assertThat(kept).doesNotExist();
        assertThat(spool.attempt(run.attemptId())).contains(SpoolAttempt.of(run, "worker-1", NOW));
        assertThat(spool.exit(run.attemptId())).contains(new ShimExit(0, NOW, null, null, "local-1", false));
        // written over the kept file's longer zeros and cut to its own length
        assertThat(Files.readAllBytes(layout.exitFile(run.attemptId())))
                .isEqualTo(Json.encode(new ShimExit(0, NOW, null, null, "local-1", false)));
        try (var files = Files.list(spool.dir(run.attemptId()))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("attempt.json", "exit.json");
        }
        // no new inode for either file
        assertThat(inode(layout.attemptFile(run.attemptId()))).isEqualTo(attemptInode);
        assertThat(inode(layout.exitFile(run.attemptId()))).isEqualTo(exitInode);
    }

    private static long inode(Path file) throws IOException {
        return ((Number) Files.getAttribute(file, "unix:ino")).longValue();
    }

    @Test
    void theAssignmentOfAnEarlierVersionsSpoolIsReadFromRunJson() throws Exception {
        RunAssignment run = Runs.python("job-s2", "default", "/apps/pi.py");
        SpoolAttempt legacy = writeLegacyAttempt(run.jobId(), run.attemptId());
        Files.write(layout.attemptDir(run.attemptId()).resolve("run.json"), Json.encode(run));

        assertThat(spool.run(legacy)).contains(run);
    }

    @Test
    void anAttemptWithoutItsAssignmentHasNone() throws Exception {
        SpoolAttempt legacy = writeLegacyAttempt("job-s3", "job-s3-a1");

        assertThat(spool.run(legacy)).isEmpty();
    }

    @Test
    void anAcknowledgedEndIsMarkedBySecondNameOfExitJson() throws Exception {
        RunAssignment run = Runs.python("job-s4", "default", "/apps/pi.py");
        spool.writeAttempt(SpoolAttempt.of(run, "worker-1", NOW));
        spool.writeExitIfAbsent(run.attemptId(), new ShimExit(0, NOW, null, null, "local-1", false));
        assertThat(spool.reported(run.attemptId())).isFalse();

        spool.markReported(run.attemptId());
        spool.markReported(run.attemptId());

        assertThat(spool.reported(run.attemptId())).isTrue();
        assertThat(Files.isSameFile(spool.dir(run.attemptId()).resolve("reported"), layout.exitFile(run.attemptId())))
                .isTrue();
        assertThat(spool.exit(run.attemptId()).map(ShimExit::exitCode)).contains(0);
    }

    @Test
    void anEndWithoutExitJsonIsStillMarkedReported() throws Exception {
        RunAssignment run = Runs.python("job-s5", "default", "/apps/pi.py");
        spool.writeAttempt(SpoolAttempt.of(run, "worker-1", NOW));

        spool.markReported(run.attemptId());

        assertThat(spool.reported(run.attemptId())).isTrue();
        assertThat(layout.exitFile(run.attemptId())).doesNotExist();
    }

    /** An {@code attempt.json} as an earlier version wrote it: without the assignment. */
    private SpoolAttempt writeLegacyAttempt(String jobId, String attemptId) throws IOException {
        SpoolAttempt legacy = new SpoolAttempt(jobId, 1, attemptId, "default", "default", "worker-1", NOW);
        Files.createDirectories(layout.attemptDir(attemptId));
        Files.write(layout.attemptFile(attemptId), Json.encode(legacy));
        return legacy;
    }
}
