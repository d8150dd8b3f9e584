package io.kindling.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.common.spool.SpoolAttempt;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.shim.ShimExit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttemptSpoolTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path root;

    @Test
    void theAssignmentIsKeptInAttemptJsonAlone() throws Exception {
        AttemptSpool spool = new AttemptSpool(new SpoolLayout(root));
        RunAssignment run = Runs.python("job-s1", "default", "/apps/pi.py");

        spool.writeAttempt(SpoolAttempt.of(run, "worker-1", NOW));

        assertThat(spool.run(run.attemptId())).contains(run);
        assertThat(spool.attempt(run.attemptId())).contains(SpoolAttempt.of(run, "worker-1", NOW));
        try (var files = Files.list(spool.dir(run.attemptId()))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("attempt.json");
        }
    }

    @Test
    void theAssignmentOfAnEarlierVersionsSpoolIsReadFromRunJson() throws Exception {
        SpoolLayout layout = new SpoolLayout(root);
        AttemptSpool spool = new AttemptSpool(layout);
        RunAssignment run = Runs.python("job-s2", "default", "/apps/pi.py");
        Files.createDirectories(layout.attemptDir(run.attemptId()));
        Files.write(layout.attemptFile(run.attemptId()), Json.encode(new SpoolAttempt(run.jobId(), 1, run.attemptId(),
                "default", "default", "worker-1", NOW)));
        Files.write(layout.attemptDir(run.attemptId()).resolve("run.json"), Json.encode(run));

        assertThat(spool.run(run.attemptId())).contains(run);
    }

    @Test
    void anAttemptWithoutItsAssignmentHasNone() throws Exception {
        SpoolLayout layout = new SpoolLayout(root);
        AttemptSpool spool = new AttemptSpool(layout);
        Files.createDirectories(layout.attemptDir("job-s3-a1"));
        Files.write(layout.attemptFile("job-s3-a1"), Json.encode(new SpoolAttempt("job-s3", 1, "job-s3-a1",
                "default", "default", "worker-1", NOW)));

        assertThat(spool.run("job-s3-a1")).isEmpty();
    }

    @Test
    void anAcknowledgedEndIsMarkedBySecondNameOfExitJson() throws Exception {
        SpoolLayout layout = new SpoolLayout(root);
        AttemptSpool spool = new AttemptSpool(layout);
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
        SpoolLayout layout = new SpoolLayout(root);
        AttemptSpool spool = new AttemptSpool(layout);
        RunAssignment run = Runs.python("job-s5", "default", "/apps/pi.py");
        spool.writeAttempt(SpoolAttempt.of(run, "worker-1", NOW));

        spool.markReported(run.attemptId());

        assertThat(spool.reported(run.attemptId())).isTrue();
        assertThat(layout.exitFile(run.attemptId())).doesNotExist();
    }
}
