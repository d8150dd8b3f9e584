package io.kindling.worker.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.blobstore.LocalDirBlobStore;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.artifacts.ArtifactFetcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A launch naming an artifact it cannot use is refused (SUBMISSION_FAILED) before spark-submit runs. */
class ArtifactLaunchTest {
    private static final String SHA = "0123456789abcdef".repeat(4);

    @TempDir
    Path tmp;
    private LocalDirBlobStore blobs;
    private SparkSubmitLauncher launcher;

    @BeforeEach
    void setUp() throws Exception {
        Path script = tmp.resolve("spark/bin/spark-submit");
        Files.createDirectories(script.getParent());
        Files.writeString(script, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        blobs = new LocalDirBlobStore(tmp.resolve("blobs"));
        launcher = new SparkSubmitLauncher(new SparkSubmitConfig(tmp.resolve("spark"), null, null, "local[1]"),
                new SpoolLayout(tmp.resolve("spool")), Map.of("PATH", "/usr/bin:/bin"), Duration.ofMillis(500),
                Duration.ZERO, new ArtifactFetcher(blobs, tmp.resolve("artifacts")));
    }

    @AfterEach
    void tearDown() {
        launcher.close();
        blobs.close();
    }

    private static RunAssignment run(String file, String tenant, List<String> jars) {
        JobSpec spec = new JobSpec("job", null, new Application(ApplicationType.PYTHON, file, null, null), null, null,
                Map.of("tenant", tenant), null, jars, null, null, null, null, null, null, null).withTenant(tenant);
        return RunAssignment.of("job-" + Math.abs(file.hashCode()), 1, spec, Instant.parse("2025-01-01T00:00:00Z"));
    }

    @Test
    void aMissingArtifactIsRefusedNamingItsUri() throws Exception {
        String uri = "artifact://acme/" + SHA + "/pi.py";
        Launch launch = launcher.launch(run(uri, "acme", List.of()));
        assertThat(launch).isInstanceOfSatisfying(Launch.Refused.class,
                r -> assertThat(r.message()).contains(uri).contains("not found"));
    }

    @Test
    void anotherTenantsArtifactAndATraversalAreRefused() throws Exception {
        String other = "artifact://globex/" + SHA + "/udf.jar";
        assertThat(launcher.launch(run("/apps/pi.py", "acme", List.of(other)))).isInstanceOfSatisfying(
                Launch.Refused.class, r -> assertThat(r.message()).contains(other).contains("tenant"));
        assertThat(launcher.launch(run("artifact://../../etc/passwd", "acme", List.of()))).isInstanceOfSatisfying(
                Launch.Refused.class, r -> assertThat(r.message()).contains("artifact://../../etc/passwd"));
    }
}
