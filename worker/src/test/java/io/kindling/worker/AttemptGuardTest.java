package io.kindling.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.common.spool.SpoolAttempt;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.RunAssignment;
import io.kindling.testsupport.time.MutableClock;
import io.kindling.worker.shim.AttemptShim;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guard's lease files, one round at a time ({@link AttemptGuard#check()} called by the test, the guard not started). */
class AttemptGuardTest {
    private static final Instant SENT = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path spoolDir;
    private AttemptSpool spool;
    private HeldAttempt attempt;
    private AttemptGuard guard;

    @BeforeEach
    void setUp() throws Exception {
        spool = new AttemptSpool(new SpoolLayout(spoolDir));
        RunAssignment run = Runs.python("job-1", "default", "/apps/pi.py");
        spool.writeAttempt(SpoolAttempt.of(run, "worker-1", SENT));
        attempt = new HeldAttempt(run, SENT, SENT); // held once its SUBMITTING, sent at SENT, was acknowledged
        guard = new AttemptGuard("worker-1", () -> List.of(attempt), new RecordingReports(), spool,
                new MutableClock(SENT.plusSeconds(1)), Duration.ofSeconds(10), Duration.ofSeconds(60), (a, stop) -> { });
    }

    private Path lease() {
        return spool.dir(attempt.attemptId()).resolve(AttemptShim.LEASE_FILE);
    }

    @Test
    void noLeaseFileUntilAReportLaterThanSubmittingIsAcknowledged() throws Exception {
        guard.check();
        assertThat(lease()).as("the shim counts the lease from its own start, later than SUBMITTING").doesNotExist();

        attempt.acked(SENT.plusSeconds(5));
        guard.check();
        assertThat(Files.getLastModifiedTime(lease()).toInstant()).isEqualTo(SENT.plusSeconds(5));

        attempt.acked(SENT.plusSeconds(9));
        guard.check();
        assertThat(Files.getLastModifiedTime(lease()).toInstant()).isEqualTo(SENT.plusSeconds(9));
    }

    @Test
    void noLeaseFileOnceTheDriverHasEnded() {
        attempt.acked(SENT.plusSeconds(5)); // its RUNNING report, acknowledged
        attempt.driverEnded(true);
        guard.check();
        assertThat(lease()).doesNotExist();
    }
}
