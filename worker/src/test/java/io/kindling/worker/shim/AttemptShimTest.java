package io.kindling.worker.shim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native attempt supervisor {@code kindling-shim} as the worker runs it, around small
 * stand-in programs: what it records, how it stops a tree, that it detaches from its starter.
 */
@Timeout(60)
class AttemptShimTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;
    private final List<ShimInfo> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        for (ShimInfo info : started) {
            info.liveShim().ifPresent(ProcessHandle::destroyForcibly);
            info.liveChild().ifPresent(child -> {
                child.descendants().forEach(ProcessHandle::destroyForcibly);
                child.destroyForcibly();
            });
        }
    }

    @Test
    void runsTheCommandDetachedWithOnlyTheGivenEnvironmentAndRecordsItsExitCode() throws Exception {
        Path dir = attemptDir("a-1");
        Path script = script("child.sh", """
                #!/bin/sh
                env > env.txt
                echo "to stdout"
                echo "to stderr" >&2
                exit 7
                """);

        Process starter = start(dir, Duration.ZERO, Map.of("TRACEPARENT", "00-abc-def-01", "PATH", "/usr/bin:/bin",
                "ODD", "a b\n$(c) 'd'"), script.toString());

        assertThat(starter.waitFor()).isEqualTo(AttemptShim.STARTED);
        ShimInfo info = info(dir);
        assertThat(stat(info.shimPid(), 6)).as("the shim leads a session of its own").isEqualTo(info.shimPid());
        assertThat(info.execAt()).isAfterOrEqualTo(info.startedAt());
        ShimExit exit = awaitRecord(dir).exit();
        assertThat(exit.exitCode()).isEqualTo(7);
        assertThat(exit.terminated()).isFalse();
        assertThat(exit.reason()).isNull();
        assertThat(Files.readString(dir.resolve("stdout"))).isEqualTo("to stdout\n");
        assertThat(Files.readString(dir.resolve("stderr"))).isEqualTo("to stderr\n");
        List<String> env = Files.readAllLines(dir.resolve("work/env.txt"));
        assertThat(env).contains("TRACEPARENT=00-abc-def-01", "PATH=/usr/bin:/bin", "ODD=a b", "$(c) 'd'");
        assertThat(env.stream().filter(line -> line.matches("[A-Za-z_][A-Za-z0-9_]*=.*"))
                .map(line -> line.substring(0, line.indexOf('='))))
                .as("nothing of the starter's environment, only what the shell itself sets")
                .isSubsetOf("TRACEPARENT", "PATH", "ODD", "PWD", "OLDPWD", "SHLVL", "_");
    }

    @Test
    void writesItsRecordsPastALinkOrAPipeLeftAtTheirTemporaryNames() throws Exception {
        Path dir = attemptDir("t-1");
        Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve(SpoolLayout.temporaryName(AttemptShim.SHIM_FILE))
                .toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        Path record = ExitRecord.file(dir.getParent(), "t-1");
        Path elsewhere = Files.writeString(tmp.resolve("elsewhere.txt"), "not the shim's");
        Files.createSymbolicLink(Files.createDirectories(record.getParent()).resolve(SpoolLayout.temporaryName(
                record.getFileName().toString())), elsewhere);

        Process starter = start(dir, Duration.ZERO, Map.of(), script("four.sh", "#!/bin/sh\nexit 4\n").toString());

        assertThat(starter.waitFor()).isEqualTo(AttemptShim.STARTED);
        assertThat(info(dir).execAt()).isNotNull();
        assertThat(awaitRecord(dir).exit().exitCode()).isEqualTo(4);
        assertThat(elsewhere).hasContent("not the shim's");
    }

    @Test
    void theExitRecordIsNeverSeenHalfWritten() throws Exception {
        Path script = script("quick.sh", "#!/bin/sh\nexit 0\n");
        List<Path> records = new ArrayList<>();
        AtomicBoolean reading = new AtomicBoolean(true);
        AtomicInteger whole = new AtomicInteger();
        List<String> torn = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            records.add(ExitRecord.file(tmp.resolve("spool"), "q-" + i));
        }
        Thread reader = Thread.ofPlatform().start(() -> {
            while (reading.get()) {
                for (Path record : records) {
                    try {
                        String text = Files.readString(record);
                        try {
                            Json.decode(text.getBytes(), ExitRecord.class);
                            whole.incrementAndGet();
                        } catch (RuntimeException e) {
                            torn.add(text);
                        }
                    } catch (NoSuchFileException e) {
                        // not written yet
                    } catch (IOException e) {
                        torn.add(e.toString());
                    }
                }
            }
        });
        try {
            for (int i = 0; i < 10; i++) {
                assertThat(start(attemptDir("q-" + i), Duration.ZERO, Map.of(), script.toString()).waitFor()).isZero();
            }
            await().atMost(WAIT).until(() -> records.stream().allMatch(Files::exists));
        } finally {
            reading.set(false);
            reader.join();
        }
        assertThat(torn).isEmpty();
        assertThat(whole.get()).isPositive();
        try (var files = Files.list(tmp.resolve("spool").resolve(ExitRecord.DIR))) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left")
                    .allMatch(name -> name.endsWith(".json"));
        }
    }

    @Test
    void sigtermStopsTheWholeTreeEvenWhatIgnoresItOrLeftTheProcessGroup() throws Exception {
        Path dir = attemptDir("a-2");
        Path script = script("tree.sh", """
                #!/bin/sh
                trap '' TERM
                sleep 300 &
                echo $! > sleeper.pid
                setsid sleep 301 &
                echo $! > escaped.pid
                wait
                """);
        assertThat(start(dir, Duration.ofMillis(500), Map.of("PATH", "/usr/bin:/bin"), script.toString()).waitFor())
                .isZero();
        ShimInfo info = info(dir);
        assertThat(stat(info.childPid(), 5)).as("spark-submit leads its own process group").isEqualTo(info.childPid());
        long sleeper = awaitPid(dir.resolve("work/sleeper.pid"));
        long escaped = awaitPid(dir.resolve("work/escaped.pid"));
        await().atMost(WAIT).until(() -> stat(escaped, 5) == escaped);

        ProcessHandle.of(info.shimPid()).orElseThrow().destroy();

        ShimExit exit = awaitRecord(dir).exit();
        assertThat(exit.terminated()).isTrue();
        assertThat(exit.exitCode()).as("KILLed after the grace").isEqualTo(137);
        for (long pid : List.of(info.childPid(), sleeper, escaped)) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("pid %d", pid)
                    .isIn(java.util.Optional.empty(), java.util.Optional.of(false));
        }
        await().atMost(WAIT).until(() -> info.liveShim().isEmpty());
    }

    @Test
    void aLeaseNotRenewedFencesTheDriver() throws Exception {
        Path dir = attemptDir("a-3");
        Path script = script("hang.sh", "#!/bin/sh\nexec sleep 300\n");
        assertThat(start(dir, Duration.ofMillis(200), Map.of("PATH", "/usr/bin:/bin"), script.toString(),
                Duration.ofMillis(1000)).waitFor()).isZero();

        ShimExit exit = awaitRecord(dir).exit();

        assertThat(exit.reason()).isEqualTo(FailureReason.LOST);
        assertThat(exit.message()).contains("lease");
        assertThat(exit.terminated()).isTrue();
        assertThat(exit.exitCode()).isEqualTo(143);
    }

    @Test
    void aCommandThatCannotStartIsRecordedAsNotSubmitted() throws Exception {
        Path dir = attemptDir("a-4");

        Process starter = start(dir, Duration.ZERO, Map.of(), tmp.resolve("missing").toString());

        assertThat(starter.waitFor()).isEqualTo(AttemptShim.NOT_STARTED);
        assertThat(dir.resolve(AttemptShim.SHIM_FILE)).doesNotExist();
        ExitRecord record = awaitRecord(dir);
        assertThat(record.exit().exitCode()).isNull();
        assertThat(record.exit().reason()).isEqualTo(FailureReason.SUBMISSION_FAILED);
        assertThat(record.exit().message()).contains("missing", "No such file");
        assertThat(record.attempt()).isNull();
    }

    @Test
    void aBinaryInsideAJarIsCopiedIntoTheSpoolOnceAndRuns() throws Exception {
        Path jar = tmp.resolve("worker.jar");
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.jar.JarEntry("io/kindling/worker/shim/" + AttemptShim.BINARY));
            out.write(Files.readAllBytes(AttemptShim.installed(tmp.resolve("unused")).binary()));
        }
        java.net.URL inJar = java.net.URI.create("jar:" + jar.toUri() + "!/io/kindling/worker/shim/" + AttemptShim.BINARY)
                .toURL();

        AttemptShim shim = AttemptShim.installed(inJar, tmp.resolve("spool"));
        AttemptShim again = AttemptShim.installed(inJar, tmp.resolve("spool"));

        assertThat(shim.binary().getParent()).isEqualTo(tmp.resolve("spool").resolve(AttemptShim.COPIES_DIR));
        assertThat(shim.binary()).isExecutable().isEqualTo(again.binary());
        Path dir = attemptDir("a-5");
        Process starter = new ProcessBuilder(shim.command(dir, Duration.ZERO, Duration.ZERO, List.of("/bin/true")))
                .redirectErrorStream(true).redirectOutput(dir.resolve(AttemptShim.SHIM_LOG).toFile()).start();
        starter.getOutputStream().close();
        assertThat(starter.waitFor()).isEqualTo(AttemptShim.STARTED);
        assertThat(dir.resolve(AttemptShim.SHIM_FILE)).exists();
        assertThat(awaitRecord(dir).exit().exitCode()).isZero();
    }

    private Process start(Path dir, Duration grace, Map<String, String> env, String program) throws IOException {
        return start(dir, grace, env, program, Duration.ZERO);
    }

    private Process start(Path dir, Duration grace, Map<String, String> env, String program, Duration lease)
            throws IOException {
        AttemptShim shim = AttemptShim.installed(tmp.resolve("spool"));
        Process starter = new ProcessBuilder(shim.command(dir, grace, lease, List.of(program)))
                .redirectErrorStream(true).redirectOutput(dir.resolve(AttemptShim.SHIM_LOG).toFile()).start();
        try (OutputStream stdin = starter.getOutputStream()) {
            stdin.write(AttemptShim.environment(env));
        }
        return starter;
    }

    private Path attemptDir(String id) throws IOException {
        Path dir = tmp.resolve("spool").resolve(id);
        Files.createDirectories(dir.resolve(AttemptShim.WORK_DIR));
        return dir;
    }

    private Path script(String name, String text) throws IOException {
        Path script = Files.writeString(tmp.resolve(name), text);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    private ShimInfo info(Path dir) {
        ShimInfo info = AtomicFiles.readJson(dir.resolve(AttemptShim.SHIM_FILE), ShimInfo.class).orElseThrow();
        started.add(info);
        assertThat(info.liveShim()).as("start instants match the JVM's view of the processes").isPresent();
        return info;
    }

    private ExitRecord awaitRecord(Path dir) {
        Path file = ExitRecord.file(dir.getParent(), dir.getFileName().toString());
        return await().atMost(WAIT).until(() -> AtomicFiles.readJson(file, ExitRecord.class),
                java.util.Optional::isPresent).orElseThrow();
    }

    private static long awaitPid(Path file) {
        return await().atMost(WAIT).until(() -> Files.exists(file) ? Files.readString(file).strip() : "",
                text -> !text.isEmpty()).transform(Long::parseLong);
    }

    /** Field {@code n} (1-based) of /proc/pid/stat: 5 is the process group, 6 the session. */
    private static long stat(long pid, int n) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[n - 3]);
    }
}
