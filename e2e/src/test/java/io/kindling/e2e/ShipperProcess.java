package io.kindling.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A log-shipper in a JVM of its own ({@code io.kindling.shipper.ShipperMain} on this test's
 * classpath), so a test can kill it with SIGKILL and start another one.
 */
final class ShipperProcess implements AutoCloseable {
    private final Process process;

    private ShipperProcess(Process process) {
        this.process = process;
    }

    /** Starts a shipper with env added to this JVM's environment; its output is appended to log. */
    static ShipperProcess start(Map<String, String> env, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin",
                "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "io.kindling.shipper.ShipperMain"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        builder.environment().putIfAbsent("KINDLING_METRICS_PORT", "0"); // a free port: several may run at once
        return new ShipperProcess(builder.start());
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the log-shipper (pid " + process.pid() + ") did not die");
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill();
        }
    }
}
