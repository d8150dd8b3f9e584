package io.kindling.dispatcher;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A dispatcher in a JVM of its own ({@link DispatcherMain} on this test's classpath), so a test can SIGKILL it. */
final class DispatcherProcess implements AutoCloseable {
    private final Process process;

    private DispatcherProcess(Process process) {
        this.process = process;
    }

    static DispatcherProcess start(Map<String, String> env, Path log) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                DispatcherMain.class.getName()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        builder.environment().putIfAbsent("KINDLING_METRICS_PORT", "0"); // a free port: several may run at once
        return new DispatcherProcess(builder.start());
    }

    /** SIGKILL: no shutdown hook, an open transaction is left for the next dispatcher to abort. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("dispatcher pid " + process.pid() + " did not die");
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
