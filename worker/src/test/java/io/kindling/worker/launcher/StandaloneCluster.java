package io.kindling.worker.launcher;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kindling.worker.SparkInstallation;
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
 * is on, for cluster mode.
 */
final class StandaloneCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Process> processes = new ArrayList<>();
    final int port = freePort();
    final int restPort = freePort();
    final int webUiPort = freePort();
    final Path workDir;

    private StandaloneCluster(Path dir) {
        this.workDir = dir.resolve("spark-worker-work");
    }

    static StandaloneCluster start(SparkInstallation spark, Path dir) throws IOException {
        StandaloneCluster cluster = new StandaloneCluster(dir);
        try {
            cluster.processes.add(cluster.start(spark, dir.resolve("master.log"), "org.apache.spark.deploy.master.Master",
                    "--host", "127.0.0.1", "--port", Integer.toString(cluster.port), "--webui-port",
                    Integer.toString(cluster.webUiPort), "--properties-file", cluster.masterProperties(dir).toString()));
            cluster.processes.add(cluster.start(spark, dir.resolve("worker.log"), "org.apache.spark.deploy.worker.Worker",
                    cluster.master(), "--host", "127.0.0.1", "--webui-port", Integer.toString(freePort()), "--cores", "2",
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

    private Process start(SparkInstallation spark, Path log, String mainClass, String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(spark.sparkHome().resolve("bin/spark-class").toString(), mainClass));
        argv.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("JAVA_HOME", spark.javaHome().toString());
        builder.environment().put("SPARK_HOME", spark.sparkHome().toString());
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        builder.environment().remove("SPARK_CONF_DIR");
        return builder.start();
    }

    String master() {
        return "spark://127.0.0.1:" + port;
    }

    String restMaster() {
        return "spark://127.0.0.1:" + restPort;
    }

    /** The master's {@code /json/} state. */
    JsonNode state() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webUiPort + "/json/"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    /** The ids of the drivers the master runs (cluster mode). */
    List<String> activeDrivers() throws IOException, InterruptedException {
        List<String> ids = new ArrayList<>();
        state().path("activedrivers").forEach(d -> ids.add(d.path("id").asText()));
        return ids;
    }

    /**
     * A jar whose main class {@code KindlingWait} prints a line and then blocks for
     * {@code seconds} without Spark: a long-running driver to cancel.
     */
    static Path waitingJar(Path dir) throws IOException {
        Path src = dir.resolve("wait-src/KindlingWait.java");
        java.nio.file.Files.createDirectories(src.getParent());
        java.nio.file.Files.writeString(src, """
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
        javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        if (javac.run(null, null, null, "--release", "17", "-d", src.getParent().toString(), src.toString()) != 0) {
            throw new IOException("cannot compile " + src);
        }
        Path jar = dir.resolve("kindling-wait.jar");
        try (var out = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.jar.JarEntry("KindlingWait.class"));
            out.write(java.nio.file.Files.readAllBytes(src.getParent().resolve("KindlingWait.class")));
            out.closeEntry();
        }
        return jar;
    }

    /** The ids of the master's active applications. */
    List<String> activeApps() throws IOException, InterruptedException {
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

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
