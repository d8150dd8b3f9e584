package io.kindling.worker.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kindling.worker.shim.AtomicFiles;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the attempt shim runs for a standalone cluster-mode pool, in place of a bare spark-submit
 * (which, through the REST submission server, returns as soon as the driver is submitted):
 * runs spark-submit, takes the driver id from its output and records it in {@code driver.json}
 * ({@link DriverLogRecord}), follows the driver through the master's REST API
 * ({@code GET /v1/submissions/status/<id>}) until it ends, and meanwhile copies the driver's
 * {@code stdout} and {@code stderr} from the log endpoint of the Spark worker that runs it into the
 * attempt's spool files ({@link DriverLogFollower}), reading them to the end before it exits. With
 * a {@code driverLogDir} (the Spark workers' work directory, shared with this host) it copies
 * {@code <driverLogDir>/<driver id>/} instead, once the driver has ended. Exits 0 when the driver
 * FINISHED, 1 otherwise. Stopped (SIGTERM), it kills the driver through the REST API. Started
 * again for an attempt whose {@code driver.json} exists, it follows that driver again from where
 * its logs were copied to, instead of submitting another one.
 *
 * <p>Usage: {@code StandaloneClusterDriver <rest url http://host:port> <attempt dir> [--log-dir <dir>]
 * [--master-ui <url>] [--poll-millis <n>] -- <spark-submit argv>}
 */
public final class StandaloneClusterDriver {
    private static final Set<String> ENDED = Set.of("FINISHED", "FAILED", "KILLED", "ERROR");
    private static final Duration DRAIN_PATIENCE = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String rest;
    private final Path attemptDir;
    private final Options options;
    private volatile String driverId;
    private volatile boolean ended;
    private DriverLogFollower follower;

    /** The follower's options: {@code logDir} null to read the driver's logs from its Spark worker. */
    record Options(Path logDir, String masterUi, Duration poll) {
    }

    private StandaloneClusterDriver(String rest, Path attemptDir, Options options) {
        this.rest = rest;
        this.attemptDir = attemptDir;
        this.options = options;
    }

    /** The master's REST URL for {@code spark://host:port}. */
    static String restUrl(String master) {
        return "http://" + master.substring("spark://".length()).split(",")[0];
    }

    /** The arguments before the spark-submit argv, for {@code config}'s pool and the attempt in {@code attemptDir}. */
    static List<String> arguments(SparkSubmitConfig config, Path attemptDir) {
        List<String> args = new ArrayList<>(List.of(StandaloneClusterDriver.class.getName(), restUrl(config.master()),
                attemptDir.toString()));
        if (config.driverLogDir() != null) {
            args.addAll(List.of("--log-dir", config.driverLogDir().toString()));
        }
        args.addAll(List.of("--master-ui", config.masterWebUiUrl(), "--poll-millis",
                Long.toString(config.driverLogPoll().toMillis()), "--"));
        return args;
    }

    public static void main(String[] args) throws Exception {
        int dashes = List.of(args).indexOf("--");
        if (dashes < 2 || dashes == args.length - 1) {
            System.err.println("usage: StandaloneClusterDriver <rest url> <attempt dir> [--log-dir <dir>] [--master-ui <url>]"
                    + " [--poll-millis <n>] -- <spark-submit argv>");
            System.exit(2);
        }
        Path logDir = null;
        String masterUi = null;
        Duration poll = SparkSubmitConfig.DEFAULT_DRIVER_LOG_POLL;
        for (int i = 2; i + 1 < dashes; i += 2) {
            switch (args[i]) {
                case "--log-dir" -> logDir = Path.of(args[i + 1]);
                case "--master-ui" -> masterUi = args[i + 1];
                case "--poll-millis" -> poll = Duration.ofMillis(Long.parseLong(args[i + 1]));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        StandaloneClusterDriver follower = new StandaloneClusterDriver(args[0], Path.of(args[1]),
                new Options(logDir, masterUi, poll));
        System.exit(follower.run(List.of(args).subList(dashes + 1, args.length)));
    }

    private int run(List<String> submitArgv) throws IOException, InterruptedException {
        Optional<DriverLogRecord> saved = AtomicFiles.readJson(attemptDir.resolve(DriverLogRecord.FILE),
                DriverLogRecord.class);
        if (saved.isPresent()) {
            driverId = saved.get().driverId();
        } else {
            Optional<String> submitted = submit(submitArgv);
            if (submitted.isEmpty()) {
                return 1;
            }
            driverId = submitted.get();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::killUnlessEnded, "kill-driver"));
        if (options.logDir() == null) {
            follower = new DriverLogFollower(new StandaloneMasterUi(http, options.masterUi()), new SparkWorkerLogPage(http),
                    driverId, attemptDir, saved.orElse(null));
            saved.ifPresent(s -> follower.notice("kindling: following driver " + driverId + " again; its logs continue"
                    + " from where they were copied to"));
        } else {
            AtomicFiles.writeJson(attemptDir.resolve(DriverLogRecord.FILE), new DriverLogRecord(driverId, null, null));
        }
        String state = follow();
        ended = true;
        if (follower != null) {
            follower.drain(DRAIN_PATIENCE, options.poll());
        } else {
            copy(options.logDir().resolve(driverId).resolve("stdout"), System.out);
            copy(options.logDir().resolve(driverId).resolve("stderr"), System.err);
        }
        say("kindling: driver " + driverId + " ended in state " + state);
        return "FINISHED".equals(state) ? 0 : 1;
    }

    /** Runs spark-submit (its output into stderr); the driver id it printed, or empty when it submitted none. */
    private Optional<String> submit(List<String> submitArgv) throws IOException, InterruptedException {
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
            return Optional.empty();
        }
        // recorded before anything else: started again, this follower must find the driver, not submit another
        AtomicFiles.writeJson(attemptDir.resolve(DriverLogRecord.FILE),
                new DriverLogRecord(ids.get().submissionId(), null, null));
        return Optional.of(ids.get().submissionId());
    }

    private String follow() throws InterruptedException {
        String failing = null;
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
                failing = null;
            } catch (IOException e) {
                if (!e.toString().equals(failing)) {
                    failing = e.toString();
                    say("kindling: cannot read the state of " + driverId + " from the master at " + rest + ": " + e
                            + "; trying again");
                }
            }
            if (follower != null) {
                follower.poll();
            }
            Thread.sleep(options.poll().toMillis());
        }
    }

    /** A line of Kindling's own in the stderr stream. */
    private void say(String line) {
        if (follower != null) {
            follower.notice(line);
        } else {
            System.err.println(line);
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
            say("kindling: asked the master to kill " + driverId + ": " + response.body().strip());
        } catch (IOException e) {
            say("kindling: cannot kill " + driverId + ": " + e);
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
