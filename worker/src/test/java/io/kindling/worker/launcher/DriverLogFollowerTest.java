package io.kindling.worker.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.worker.shim.AtomicFiles;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The follower's bookkeeping: where a copy resumes in the driver's log after a restart, and that a
 * log it cannot read is said in the stderr stream (a real, unreachable address; no Spark needed).
 */
class DriverLogFollowerTest {
    @TempDir
    Path dir;

    @Test
    void a_copy_resumes_after_what_was_appended_since_its_position_was_saved() throws Exception {
        Path file = Files.writeString(dir.resolve("stderr"), "spark-submit output\nline 1\nline 2\n");
        // saved when the file held the submit output and "line 1\n" (7 bytes of the driver's log)
        DriverLogCopy copy = DriverLogCopy.resume("stderr", file, new DriverLogRecord.Position(27, 7));

        assertThat(copy.offset()).isEqualTo(14);
        assertThat(DriverLogCopy.resume("stderr", file, null).offset()).as("nothing saved: from the start").isZero();
        // a notice saved but never written does not move the offset back
        assertThat(DriverLogCopy.resume("stderr", file, new DriverLogRecord.Position(60, 14)).offset()).isEqualTo(14);
    }

    @Test
    void a_log_that_cannot_be_read_is_named_as_a_gap_in_the_stderr_stream_and_the_position_is_kept() throws Exception {
        Files.writeString(dir.resolve("stdout"), "");
        Files.writeString(dir.resolve("stderr"), "submitted\n");
        String unreachable = "http://127.0.0.1:" + closedPort();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        DriverLogFollower follower = new DriverLogFollower(new StandaloneMasterUi(http, unreachable),
                new SparkWorkerLogPage(http), "driver-20261205130713-0000", dir, null);

        follower.poll();
        follower.poll();
        follower.drain(Duration.ZERO, Duration.ofMillis(10));

        String stderr = Files.readString(dir.resolve("stderr"));
        assertThat(stderr).startsWith("submitted\n");
        assertThat(stderr.lines().filter(l -> l.contains("cannot read the logs of driver")).count())
                .as("said once per outage, not at every poll").isEqualTo(1);
        assertThat(stderr).contains("cannot reach the standalone master's web UI at " + unreachable + "/json/");
        assertThat(stderr).contains("kindling: LOG GAP: the stdout of driver driver-20261205130713-0000 could not be read"
                + " to its end").contains("what it wrote from byte 0 on is missing here");
        assertThat(stderr).contains("kindling: LOG GAP: the stderr of driver driver-20261205130713-0000");
        assertThat(Files.readString(dir.resolve("stdout"))).isEmpty();
        DriverLogRecord saved = AtomicFiles.readJson(dir.resolve(DriverLogRecord.FILE), DriverLogRecord.class).orElseThrow();
        assertThat(saved.driverId()).isEqualTo("driver-20261205130713-0000");
        assertThat(DriverLogCopy.resume("stderr", dir.resolve("stderr"), saved.stderr()).offset())
                .as("Kindling's own lines are not taken for the driver's").isZero();
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
