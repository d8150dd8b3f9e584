package io.kindling.testsupport.spark;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Spark standalone master and one worker (2 cores, 2 GB) from the provisioned Spark, on
 * 127.0.0.1 with free ports, as child processes of the test. The master's REST submission server
 * is on, for cluster mode; the worker runs drivers and executors in {@link #workDir()}. Starting
 * one costs 10-20 s: share it across a test class. {@link #close()} kills both and waits for them.
 */
public final class StandaloneSparkCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Process> processes = new ArrayList<>();
    private final int port = freePort();
    private final int restPort = freePort();
    private final int webUiPort = freePort();
    private final Path workDir;

    private StandaloneSparkCluster(Path dir) {
        this.workDir = dir.resolve("spark-worker-work");
    }

    /**
     * Starts a master and a worker with the Spark distribution at {@code sparkHome} on the JDK at
     * {@code javaHome}, logs and work directory under {@code dir}, and waits until the worker has joined.
     */
    public static StandaloneSparkCluster start(Path sparkHome, Path javaHome, Path dir) throws IOException {
        StandaloneSparkCluster cluster = new StandaloneSparkCluster(dir);
        java.nio.file.Files.createDirectories(cluster.workDir);
        try {
            cluster.processes.add(cluster.start(sparkHome, javaHome, dir.resolve("master.log"), "org.apache.spark.deploy.master.Master",
                    "--host", "127.0.0.1", "--port", Integer.toString(cluster.port), "--webui-port",
                    Integer.toString(cluster.webUiPort), "--properties-file", cluster.masterProperties(dir).toString()));
            cluster.processes.add(cluster.start(sparkHome, javaHome, dir.resolve("worker.log"), "org.apache.spark.deploy.worker.Worker",
                    cluster.masterUrl(), "--host", "127.0.0.1", "--webui-port", Integer.toString(freePort()), "--cores", "2",
                    "--memory", "2g", "--work-dir", cluster.workDir.toString()));
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> cluster.state().path("aliveworkers").asInt() == 1);
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private Path masterProperties(Path dir) throws IOException {
        Path file = dir.resolve("master.properties");
        java.nio.file.Files.writeString(file, "spark.master.rest.enabled true\nspark.master.rest.port " + restPort + "\n");
        return file;
    }

    private Process start(Path sparkHome, Path javaHome, Path log, String mainClass, String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(sparkHome.resolve("bin/spark-class").toString(), mainClass));
        argv.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("JAVA_HOME", javaHome.toString());
        builder.environment().put("SPARK_HOME", sparkHome.toString());
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        builder.environment().remove("SPARK_CONF_DIR");
        return builder.start();
    }

    /** The master's URL for client-mode applications: {@code spark://127.0.0.1:<port>}. */
    public String masterUrl() {
        return "spark://127.0.0.1:" + port;
    }

    /** The REST submission server as a cluster-mode {@code --master}: {@code spark://127.0.0.1:<rest port>}. */
    public String restUrl() {
        return "spark://127.0.0.1:" + restPort;
    }

    /** The master's web UI ({@code /json/} gives its state). */
    public String webUiUrl() {
        return "http://127.0.0.1:" + webUiPort;
    }

    /** The Spark worker's work directory: {@code <driver id>/stdout} of cluster-mode drivers lands here. */
    public Path workDir() {
        return workDir;
    }

    /** The master's {@code /json/} state. */
    public JsonNode state() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(webUiUrl() + "/json/"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    /** The ids of the drivers the master runs (cluster mode). */
    public List<String> activeDrivers() throws IOException, InterruptedException {
        List<String> ids = new ArrayList<>();
        state().path("activedrivers").forEach(d -> ids.add(d.path("id").asText()));
        return ids;
    }

    /**
     * A jar whose main class {@code KindlingWait} prints a line and then blocks for
     * {@code seconds} without Spark: a long-running driver to cancel.
     */
    public static Path waitingJar(Path dir) throws IOException {
        return jar(dir, "KindlingWait", """
                public class KindlingWait {
                    public static void main(String[] args) throws Exception {
                        System.out.println("kindling-wait: waiting");
                        Object lock = new Object();
                        synchronized (lock) {
                            lock.wait(Long.parseLong(args[0]) * 1000);
                        }
                    }
                }
                """);
    }

    /**
     * A jar whose main class {@code KindlingLines} prints {@code line <i>} to stdout and {@code err <i>}
     * to stderr for i = 1..{@code args[0]}, pausing {@code args[1]} ms after each, without Spark.
     */
    public static Path linesJar(Path dir) throws IOException {
        return jar(dir, "KindlingLines", """
                public class KindlingLines {
                    public static void main(String[] args) throws Exception {
                        int count = Integer.parseInt(args[0]);
                        long pause = Long.parseLong(args[1]);
                        for (int i = 1; i <= count; i++) {
                            System.out.println("line " + i);
                            System.err.println("err " + i);
                            Thread.sleep(pause);
                        }
                    }
                }
                """);
    }

    private static Path jar(Path dir, String mainClass, String source) throws IOException {
        Path src = dir.resolve(mainClass + "-src/" + mainClass + ".java");
        java.nio.file.Files.createDirectories(src.getParent());
        java.nio.file.Files.writeString(src, source);
        javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        if (javac.run(null, null, null, "--release", "17", "-d", src.getParent().toString(), src.toString()) != 0) {
            throw new IOException("cannot compile " + src);
        }
        Path jar = dir.resolve(mainClass + ".jar");
        try (var out = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.jar.JarEntry(mainClass + ".class"));
            out.write(java.nio.file.Files.readAllBytes(src.getParent().resolve(mainClass + ".class")));
            out.closeEntry();
        }
        return jar;
    }

    /** The state ({@code RUNNING}, {@code KILLED}, ...) the master gives driver {@code id}, active or completed. */
    public java.util.Optional<String> driverState(String id) throws IOException, InterruptedException {
        JsonNode state = state();
        for (String list : List.of("activedrivers", "completeddrivers")) {
            for (JsonNode d : state.path(list)) {
                if (d.path("id").asText().equals(id)) {
                    return java.util.Optional.of(d.path("state").asText());
                }
            }
        }
        return java.util.Optional.empty();
    }

    /** The ids of the master's active applications. */
    public List<String> activeApps() throws IOException, InterruptedException {
        List<String> names = new ArrayList<>();
        state().path("activeapps").forEach(app -> names.add(app.path("id").asText()));
        return names;
    }

    @Override
    public void close() {
        for (Process p : processes.reversed()) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
