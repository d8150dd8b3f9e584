package io.kindling.testsupport.azurite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Azurite's blob service, started as a child process from the copy pinned in {@code tools/azurite}.
 *
 * <p>The port comes from the OS: Azurite is started with {@code --blobPort 0} and reports the
 * port it bound. Data is held in memory and is gone when the fixture is closed. Most tests
 * want {@link SharedAzurite}, which starts one per test JVM.
 *
 * <p>{@link #startPersistent} keeps the data in a directory instead, so a test can stop Azurite
 * (an outage) and start it again on the same port with the same data.
 */
public final class AzuriteFixture implements AutoCloseable {

    /** The emulator's well-known development account (public, documented by Microsoft). */
    public static final String ACCOUNT_NAME = "devstoreaccount1";
    public static final String ACCOUNT_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    static final Duration START_DEADLINE = Duration.ofSeconds(60);
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(20);
    private static final String HOST = "127.0.0.1";
    private static final Pattern LISTENING =
            Pattern.compile("successfully listens on http://127\\.0\\.0\\.1:(\\d+)");
    private static final AtomicInteger LOG_SEQUENCE = new AtomicInteger();
    private static final Logger LOG = LoggerFactory.getLogger(AzuriteFixture.class);

    private final Process process;
    private final Path logFile;
    private final int port;
    private final Thread reaper;
    private final String accountKey;

    private AzuriteFixture(Process process, Path logFile, int port, Thread reaper, String accountKey) {
        this.process = process;
        this.logFile = logFile;
        this.port = port;
        this.reaper = reaper;
        this.accountKey = accountKey;
    }

    /** Starts Azurite from the {@code tools/azurite} found by {@link AzuriteInstallation#locate()}. */
    public static AzuriteFixture start() {
        return start(AzuriteInstallation.locate());
    }

    public static AzuriteFixture start(AzuriteInstallation installation) {
        return start(installation, List.of("--blobPort", "0", "--inMemoryPersistence", "--extentMemoryLimit", "1024"),
                ACCOUNT_KEY);
    }

    /**
     * Starts an in-memory Azurite whose {@link #ACCOUNT_NAME} account has {@code accountKey}
     * (base64) instead of the well-known one (Azurite's {@code AZURITE_ACCOUNTS}): a test can seed
     * a key of its own and search for it.
     */
    public static AzuriteFixture startWithAccountKey(String accountKey) {
        return start(AzuriteInstallation.locate(),
                List.of("--blobPort", "0", "--inMemoryPersistence", "--extentMemoryLimit", "1024"), accountKey);
    }

    /**
     * Starts Azurite keeping its data in {@code location}, on {@code port} (0: one from the OS).
     * Close it and start it again with the same location and {@link #port()} to simulate an
     * outage that loses nothing.
     */
    public static AzuriteFixture startPersistent(Path location, int port) {
        return start(AzuriteInstallation.locate(),
                List.of("--blobPort", Integer.toString(port), "--location", location.toAbsolutePath().toString()),
                ACCOUNT_KEY);
    }

    private static AzuriteFixture start(AzuriteInstallation installation, List<String> storage, String accountKey) {
        Path logFile = createLogFile();
        List<String> command = new java.util.ArrayList<>(List.of(
                installation.node(), installation.blobMain().toString(),
                "--blobHost", HOST));
        command.addAll(storage);
        command.addAll(List.of(
                "--disableTelemetry",
                "--skipApiVersionCheck",
                "--loose",
                "--silent"));
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(installation.directory().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile());
            if (!ACCOUNT_KEY.equals(accountKey)) {
                builder.environment().put("AZURITE_ACCOUNTS", ACCOUNT_NAME + ":" + accountKey);
            }
            process = builder.start();
        } catch (IOException e) {
            deleteLog(logFile);
            throw new IllegalStateException("Could not start Azurite (" + String.join(" ", command)
                    + "): is Node.js on the PATH? " + e.getMessage(), e);
        }
        Thread reaper = new Thread(() -> destroyTree(process), "azurite-reaper-" + process.pid());
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            int port = awaitPort(process, logFile);
            awaitAcceptingConnections(process, logFile, port);
            LOG.info("Azurite blob service (pid {}) listening on {}:{}, log {}", process.pid(), HOST, port, logFile);
            return new AzuriteFixture(process, logFile, port, reaper, accountKey);
        } catch (RuntimeException e) {
            destroyTree(process);
            removeShutdownHook(reaper);
            deleteLog(logFile);
            throw e;
        }
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT/devstoreaccount1} */
    public String blobEndpoint() {
        return "http://" + HOST + ":" + port + "/" + ACCOUNT_NAME;
    }

    public String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT_NAME
                + ";AccountKey=" + accountKey
                + ";BlobEndpoint=" + blobEndpoint() + ";";
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** Stops Azurite and its child processes and waits for them to exit. */
    @Override
    public void close() {
        destroyTree(process);
        removeShutdownHook(reaper);
        deleteLog(logFile);
    }

    @Override
    public String toString() {
        return "AzuriteFixture[" + blobEndpoint() + ", pid " + process.pid() + "]";
    }

    private static int awaitPort(Process process, Path logFile) {
        try {
            return Awaitility.await("Azurite to report its port")
                    .atMost(START_DEADLINE)
                    .pollInterval(Duration.ofMillis(100))
                    .failFast("Azurite exited", () -> !process.isAlive())
                    .until(() -> reportedPort(logFile), Optional::isPresent)
                    .orElseThrow();
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            throw startFailure(process, logFile, e);
        }
    }

    private static void awaitAcceptingConnections(Process process, Path logFile, int port) {
        try {
            Awaitility.await("Azurite to accept connections on port " + port)
                    .atMost(START_DEADLINE)
                    .pollInterval(Duration.ofMillis(100))
                    .failFast("Azurite exited", () -> !process.isAlive())
                    .until(() -> acceptsConnections(port));
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            throw startFailure(process, logFile, e);
        }
    }

    private static Optional<Integer> reportedPort(Path logFile) throws IOException {
        Matcher matcher = LISTENING.matcher(readLog(logFile));
        return matcher.find() ? Optional.of(Integer.parseInt(matcher.group(1))) : Optional.empty();
    }

    private static boolean acceptsConnections(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static IllegalStateException startFailure(Process process, Path logFile, Exception cause) {
        String output;
        try {
            output = readLog(logFile);
        } catch (IOException e) {
            output = "(could not read " + logFile + ": " + e + ")";
        }
        String state = process.isAlive() ? "still running" : "exited with " + process.exitValue();
        return new IllegalStateException("Azurite did not start within " + START_DEADLINE.toSeconds()
                + " s (" + state + "). Its output:\n" + output, cause);
    }

    private static void deleteLog(Path logFile) {
        try {
            Files.deleteIfExists(logFile);
        } catch (IOException e) {
            LOG.debug("Could not delete {}", logFile, e);
        }
    }

    private static String readLog(Path logFile) throws IOException {
        return new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8);
    }

    private static Path createLogFile() {
        try {
            return Files.createTempFile("azurite-" + ProcessHandle.current().pid() + "-"
                    + LOG_SEQUENCE.incrementAndGet() + "-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a log file for Azurite", e);
        }
    }

    private static void destroyTree(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        descendants.forEach(ProcessHandle::destroy);
        process.destroy();
        boolean exited = waitFor(process);
        if (!exited) {
            descendants.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            exited = waitFor(process);
        }
        for (ProcessHandle child : descendants) {
            child.onExit().orTimeout(STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS).exceptionally(e -> null).join();
        }
        if (!exited) {
            LOG.warn("Azurite (pid {}) did not exit within {}", process.pid(), STOP_DEADLINE);
        }
    }

    private static boolean waitFor(Process process) {
        try {
            return process.waitFor(STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs, or has run, anyway
        }
    }
}
