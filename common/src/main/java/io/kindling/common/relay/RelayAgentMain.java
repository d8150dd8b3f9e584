package io.kindling.common.relay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's relay agent as a process of its own: the sidecar of a session's driver pod, which
 * shares the pod's loopback with the Spark Connect server. Argv only, no shell, nothing secret on
 * the command line (the agent secret is read from a file, a mounted Kubernetes Secret).
 *
 * <pre>
 * run   --gateway-host H --gateway-port P --ca FILE --session ID --secret-file FILE --server-port N --ready-file FILE
 * check --ready-file FILE
 * </pre>
 *
 * {@code run} waits until the server answers on {@code 127.0.0.1:N}, starts the {@link RelayAgent},
 * gives the gateway up to {@link #ADMISSION} to admit it, then writes the ready file and runs until
 * terminated, or until the server has stopped answering {@value #GONE_AFTER} times in a row (its
 * driver ended): it then exits 0, so that the pod ends with its driver. {@code check} exits 0 when the ready file exists, 1 otherwise: the sidecar's exec
 * startup probe (a kubelet probe cannot reach the loopback-bound server).
 */
public final class RelayAgentMain {
    private static final Logger LOG = LoggerFactory.getLogger(RelayAgentMain.class);
    static final Duration ADMISSION = Duration.ofSeconds(30);
    static final Duration REDIAL = Duration.ofSeconds(2);
    static final int GONE_AFTER = 3;

    /** How often the server is polled while starting and watched once ready, and how long the gateway has to admit the agent. */
    record Timing(Duration poll, Duration admission, Duration watch) {
        static final Timing DEFAULT = new Timing(Duration.ofMillis(500), ADMISSION, Duration.ofSeconds(5));
    }

    private RelayAgentMain() {
    }

    /** What {@code run} needs; {@code check} fills only {@code readyFile}. */
    record Options(boolean check, String gatewayHost, int gatewayPort, Path caFile, String sessionId, Path secretFile,
            int serverPort, Path readyFile) {
        private static final Set<String> RUN_OPTIONS = Set.of("--gateway-host", "--gateway-port", "--ca", "--session",
                "--secret-file", "--server-port", "--ready-file");

        static Options parse(List<String> args) {
            if (args.isEmpty() || !(args.get(0).equals("run") || args.get(0).equals("check"))) {
                throw new IllegalArgumentException("usage: run|check --option value ...");
            }
            boolean check = args.get(0).equals("check");
            Map<String, String> values = new HashMap<>();
            for (int i = 1; i < args.size(); i += 2) {
                String name = args.get(i);
                if (!RUN_OPTIONS.contains(name) || (check && !name.equals("--ready-file"))) {
                    throw new IllegalArgumentException("unknown option " + name);
                }
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                if (values.put(name, args.get(i + 1)) != null) {
                    throw new IllegalArgumentException(name + " given twice");
                }
            }
            Path ready = Path.of(required(values, "--ready-file"));
            if (check) {
                return new Options(true, null, 0, null, null, null, 0, ready);
            }
            return new Options(false, required(values, "--gateway-host"), port(values, "--gateway-port"),
                    Path.of(required(values, "--ca")), required(values, "--session"),
                    Path.of(required(values, "--secret-file")), port(values, "--server-port"), ready);
        }

        private static String required(Map<String, String> values, String name) {
            String value = values.get(name);
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("missing " + name);
            }
            return value;
        }

        private static int port(Map<String, String> values, String name) {
            String value = required(values, name);
            try {
                int port = Integer.parseInt(value);
                if (port >= 1 && port <= 65_535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(name + " must be a port (1-65535), was '" + value + "'");
        }
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(List.of(args));
        } catch (IllegalArgumentException e) {
            System.err.println("relay agent: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (options.check()) {
            System.exit(Files.exists(options.readyFile()) ? 0 : 1);
            return;
        }
        run(options);
    }

    private static void run(Options options) throws IOException, InterruptedException {
        String secret = Files.readString(options.secretFile(), StandardCharsets.US_ASCII).strip();
        RelayAgent.Config config = new RelayAgent.Config(options.gatewayHost(), options.gatewayPort(),
                TrustedCa.context(options.caFile()), options.sessionId(), secret, options.serverPort(), REDIAL);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "relay-agent-stop"));
        serve(options, config, Timing.DEFAULT, stop);
    }

    /**
     * Waits for the server, runs the agent, writes the ready file, and returns when {@code stop}
     * counts down or the server is gone; the agent is closed on the way out.
     */
    static void serve(Options options, RelayAgent.Config config, Timing timing, CountDownLatch stop)
            throws IOException, InterruptedException {
        while (!RelayAgent.serverAnswers(options.serverPort())) {
            if (stop.await(timing.poll().toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
        }
        try (RelayAgent agent = RelayAgent.start(config)) {
            LOG.info("session {}: Spark Connect server answers on 127.0.0.1:{}; relay agent dialling {}:{}",
                    options.sessionId(), options.serverPort(), options.gatewayHost(), options.gatewayPort());
            long deadline = System.nanoTime() + timing.admission().toNanos();
            while (!agent.connected() && System.nanoTime() < deadline) {
                Thread.sleep(timing.poll().toMillis());
            }
            Files.createDirectories(options.readyFile().toAbsolutePath().getParent());
            Files.writeString(options.readyFile(), "ready\n", StandardCharsets.US_ASCII);
            LOG.info("session {}: ready (gateway admitted the agent: {})", options.sessionId(), agent.connected());
            int misses = 0;
            while (misses < GONE_AFTER && !stop.await(timing.watch().toMillis(), TimeUnit.MILLISECONDS)) {
                misses = RelayAgent.serverAnswers(options.serverPort()) ? 0 : misses + 1;
            }
            LOG.info("session {}: relay agent stopping ({})", options.sessionId(),
                    misses >= GONE_AFTER ? "the Spark Connect server is gone" : "terminated");
        }
    }
}
