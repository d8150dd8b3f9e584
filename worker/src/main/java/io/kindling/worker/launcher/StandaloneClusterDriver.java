package io.kindling.worker.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the attempt shim runs for a standalone cluster-mode pool, in place of a bare spark-submit
 * (which, through the REST submission server, returns as soon as the driver is submitted):
 * runs spark-submit, takes the driver id from its output, follows the driver through the master's
 * REST API ({@code GET /v1/submissions/status/<id>}) until it ends, then copies the driver's
 * {@code stdout} and {@code stderr} from the Spark worker's work directory
 * ({@code <driverLogDir>/<driver id>/}) to its own, which the shim appends to the spool. Exits 0
 * when the driver FINISHED, 1 otherwise. Stopped (SIGTERM), it kills the driver through the REST API.
 *
 * <p>Usage: {@code StandaloneClusterDriver <rest url http://host:port> <driverLogDir or -> -- <spark-submit argv>}
 */
public final class StandaloneClusterDriver {
    private static final Set<String> ENDED = Set.of("FINISHED", "FAILED", "KILLED", "ERROR");
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String rest;
    private volatile String driverId;
    private volatile boolean ended;

    private StandaloneClusterDriver(String rest) {
        this.rest = rest;
    }

    /** The master's REST URL for {@code spark://host:port}. */
    static String restUrl(String master) {
        return "http://" + master.substring("spark://".length()).split(",")[0];
    }

    public static void main(String[] args) throws Exception {
        int dashes = Arrays.asList(args).indexOf("--");
        if (dashes != 2) {
            System.err.println("usage: StandaloneClusterDriver <rest url> <driverLogDir|-> -- <spark-submit argv>");
            System.exit(2);
        }
        StandaloneClusterDriver follower = new StandaloneClusterDriver(args[0]);
        Path logDir = args[1].equals("-") ? null : Path.of(args[1]);
        System.exit(follower.run(List.of(args).subList(3, args.length), logDir));
    }

    private int run(List<String> submitArgv, Path logDir) throws IOException, InterruptedException {
        Process submit = new ProcessBuilder(submitArgv).redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        try (InputStream in = submit.getInputStream()) {
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                System.err.write(buffer, 0, n);
                output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
        }
        System.err.flush();
        int code = submit.waitFor();
        Optional<ClusterSubmission.Ids> ids = ClusterSubmission.find(SparkSubmitConfig.ClusterManager.STANDALONE, output);
        if (code != 0 || ids.isEmpty()) {
            System.err.println("kindling: spark-submit " + (code != 0 ? "exited with code " + code : "printed no driver id")
                    + "; the driver was not submitted");
            return code != 0 ? code : 1;
        }
        driverId = ids.get().submissionId();
        Runtime.getRuntime().addShutdownHook(new Thread(this::killUnlessEnded, "kill-driver"));
        String state = follow();
        ended = true;
        if (logDir != null) {
            copy(logDir.resolve(driverId).resolve("stdout"), System.out);
            copy(logDir.resolve(driverId).resolve("stderr"), System.err);
        }
        System.err.println("kindling: driver " + driverId + " ended in state " + state);
        return "FINISHED".equals(state) ? 0 : 1;
    }

    private String follow() throws InterruptedException {
        while (true) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create(rest + "/v1/submissions/status/" + driverId)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode status = JSON.readTree(response.body());
                String state = status.path("driverState").asText("");
                if (ENDED.contains(state)) {
                    return state;
                }
            } catch (IOException e) {
                System.err.println("kindling: cannot read the state of " + driverId + ": " + e);
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private void killUnlessEnded() {
        if (ended || driverId == null) {
            return;
        }
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(rest + "/v1/submissions/kill/" + driverId))
                    .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            System.err.println("kindling: asked the master to kill " + driverId + ": " + response.body());
        } catch (IOException e) {
            System.err.println("kindling: cannot kill " + driverId + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void copy(Path file, PrintStream out) {
        if (!Files.isRegularFile(file)) {
            System.err.println("kindling: no driver log at " + file + " (is the pool's driverLogDir the Spark worker's work dir?)");
            return;
        }
        try (InputStream in = Files.newInputStream(file)) {
            in.transferTo((OutputStream) out);
            out.flush();
        } catch (IOException e) {
            System.err.println("kindling: cannot copy " + file + ": " + e);
        }
    }
}
