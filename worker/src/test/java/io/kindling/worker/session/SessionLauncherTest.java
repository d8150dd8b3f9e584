package io.kindling.worker.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.common.relay.RelayKey;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.FakeLauncher;
import io.kindling.worker.Runs;
import io.kindling.worker.launcher.AppExit;
import io.kindling.worker.launcher.Launch;
import io.kindling.worker.launcher.SparkConnectServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionLauncherTest {
    private static final RunAssignment SESSION = Runs.of("s-1", "default",
            new Application(ApplicationType.SPARK_CONNECT, null, null, List.of()), Map.of(), Map.of());

    @TempDir
    Path spool;

    @Test
    void aWorkerWithoutGatewaySettingsRefusesASessionAndLaunchesNothing() throws Exception {
        FakeLauncher pool = FakeLauncher.succeeding();
        SessionLauncher launcher = new SessionLauncher(pool, new SpoolLayout(spool), null, Duration.ofMinutes(5));

        Launch launch = launcher.launch(SESSION);

        assertThat(launch).isInstanceOfSatisfying(Launch.Refused.class, refused -> {
            assertThat(refused.reason()).isEqualTo(FailureReason.SUBMISSION_FAILED);
            assertThat(refused.message()).contains("cannot serve interactive sessions", "KINDLING_GATEWAY_AGENT_ADDRESS",
                    "KINDLING_GATEWAY_CA_FILE", "KINDLING_RELAY_KEY_FILE");
        });
        assertThat(pool.launchedCount()).isZero();
    }

    @Test
    void aJobPassesThroughToThePoolsLauncher() throws Exception {
        FakeLauncher pool = FakeLauncher.succeeding();
        SessionLauncher launcher = new SessionLauncher(pool, new SpoolLayout(spool), null, Duration.ofMinutes(5));

        Launch launch = launcher.launch(Runs.python("job-1", "default", "/app.py"));

        assertThat(launch).isInstanceOfSatisfying(Launch.Started.class,
                started -> assertThat(started.app()).isSameAs(pool.app("job-1-a1")));
    }

    @Test
    void aServerThatNeverAnswersIsStoppedAndItsAttemptFailsAsASubmissionFailure() throws Exception {
        FakeLauncher pool = FakeLauncher.manual();
        int silentPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            silentPort = socket.getLocalPort();
        }
        Path dir = new SpoolLayout(spool).attemptDir(SESSION.attemptId());
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(SparkConnectServer.PORT_FILE), silentPort + "\n");
        SessionRelay relay = new SessionRelay(new SessionRelayConfig("gateway.invalid", 15003, dir, dir),
                SSLContext.getDefault(), RelayKey.of(new byte[32]));
        SessionLauncher launcher = new SessionLauncher(pool, new SpoolLayout(spool), relay, Duration.ofMillis(500));

        Launch launch = launcher.launch(SESSION);
        pool.app(SESSION.attemptId()).appId("local-1");
        var app = ((Launch.Started) launch).app();

        assertThat(app.awaitAppId()).as("never reported RUNNING (READY)").isEmpty();
        assertThat(pool.cancelled(SESSION.attemptId())).as("the server was stopped").isTrue();
        AppExit exit = app.awaitExit();
        assertThat(exit.reason()).isEqualTo(FailureReason.SUBMISSION_FAILED);
        assertThat(exit.cancelled()).isFalse();
        assertThat(exit.message()).contains("did not answer on 127.0.0.1:" + silentPort);
    }
}
