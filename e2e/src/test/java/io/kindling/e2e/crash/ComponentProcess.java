package io.kindling.e2e.crash;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Kindling component ({@code ApiMain}, {@code DispatcherMain}, {@code WorkerMain}) in a JVM of
 * its own on this test's classpath, so the test can SIGKILL it and start it again.
 */
final class ComponentProcess {
    private final String name;
    private final String mainClass;
    private final Map<String, String> env;
    private final Path log;
    private Process process;
    private int starts;

    ComponentProcess(String name, String mainClass, Map<String, String> env, Path log) {
        this.name = name;
        this.mainClass = mainClass;
        this.env = Map.copyOf(env);
        this.log = log;
    }

    String name() {
        return name;
    }

    int starts() {
        return starts;
    }

    void start() throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                mainClass))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(key -> key.startsWith("KINDLING_"));
        builder.environment().putAll(env);
        builder.environment().putIfAbsent("KINDLING_METRICS_PORT", "0"); // a free port: several may run at once
        process = builder.start();
        starts++;
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or committed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") did not die");
        }
    }

    /** SIGTERM, then SIGKILL if it does not stop. */
    void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill();
        }
    }
}
