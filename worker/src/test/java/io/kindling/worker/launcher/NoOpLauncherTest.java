package io.kindling.worker.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.RunAssignment;
import io.kindling.worker.Runs;
import org.junit.jupiter.api.Test;

/** The benchmarks' launcher: every attempt runs at once under a Spark app id of its own and exits 0. */
class NoOpLauncherTest {
    private final NoOpLauncher launcher = new NoOpLauncher();

    @Test
    void anAttemptStartsWithItsOwnAppIdAndSucceeds() throws InterruptedException {
        RunAssignment run = Runs.python("job-1", "default", "/apps/pi.py");

        Launch launch = launcher.launch(run);

        assertThat(launch).isInstanceOf(Launch.Started.class);
        LaunchedApp app = ((Launch.Started) launch).app();
        assertThat(app.awaitAppId()).contains("no-op-" + run.attemptId());
        AppExit exit = app.awaitExit();
        assertThat(exit.succeeded()).isTrue();
        assertThat(exit.exitCode()).isZero();
    }

    @Test
    void thereIsNothingToCancelOrAdopt() throws InterruptedException {
        RunAssignment run = Runs.python("job-2", "default", "/apps/pi.py");
        launcher.launch(run);

        assertThat(launcher.cancel(run.attemptId())).isFalse();
        assertThat(launcher.adopt(run)).isInstanceOf(Adoption.NotLaunched.class);
    }
}
