package io.kindling.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kindling.broker.BrokerConfig;
import io.kindling.broker.EmbeddedKafkaBroker;
import io.kindling.embedded.EmbeddedStack;
import io.kindling.testsupport.azurite.AzuriteFixture;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@code ./kindling bench idle [seconds] [azurite|broker] [warmUpSeconds]}: the CPU the idle embedded stack
 * takes. The stack (its own Kafka broker, api, dispatcher, worker, log-shipper: every component in
 * this JVM, started as {@code ./kindling up} starts it) runs with no job; after a warm-up (default
 * 120 s), over a window of {@code seconds} (default 60) it reads this process's CPU time and, per
 * thread, the CPU time and the voluntary context switches (the wake-ups) from
 * {@code /proc/self/task/<tid>/}, grouped by the thread's name (as the kernel has it: 15
 * characters). With {@code azurite}, the blob store is an Azurite emulator (a Node process started
 * here, as the tests start it) and its CPU is measured apart from {@code /proc/<pid>/stat}.
 * With {@code broker}, only the embedded Kafka broker runs (configured as the stack's, with no client
 * and no topic): the floor that Kafka's own threads set under the stack's figure.
 */
public final class IdleBench {
    private static final long CLOCK_TICKS = 100; // USER_HZ on Linux

    private IdleBench() {
    }

    public static void main(String[] argv) throws Exception {
        List<Integer> numbers = Stream.of(argv).filter(a -> a.matches("[0-9]+")).map(Integer::valueOf).toList();
        int seconds = numbers.isEmpty() ? 60 : numbers.get(0);
        boolean azurite = List.of(argv).contains("azurite");
        boolean brokerOnly = List.of(argv).contains("broker");
        if (azurite && brokerOnly) {
            throw new IllegalArgumentException("'azurite' measures the stack with an emulated blob store; 'broker' the broker alone");
        }
        int warmUp = numbers.size() > 1 ? numbers.get(1) : Integer.getInteger("kindling.bench.warmUpSeconds", 120);
        Path home = Files.createTempDirectory("kindling-idle");
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("KINDLING_HOME", home.toString());
        env.put("KINDLING_HTTP_PORT", "0");
        env.put("KINDLING_METRICS_PORT", "0");
        env.put("KINDLING_KAFKA_PORT", Integer.toString(freePort()));
        ObjectNode json = BenchResults.start("idle");
        json.put("seconds", seconds);
        json.put("warmUpSeconds", warmUp);
        json.put("loadBefore", loadAverage());
        AzuriteFixture emulator = null;
        if (azurite) {
            emulator = AzuriteFixture.start();
            env.put("KINDLING_BLOB_STORE", "azure");
            env.put("KINDLING_AZURE_CONNECTION_STRING", emulator.connectionString());
            env.put("KINDLING_AZURE_CONTAINER", "idle");
        } else {
            env.put("KINDLING_BLOB_STORE", "local");
        }
        String measured = brokerOnly ? "broker" : "stack";
        json.put("measured", measured);
        if (!brokerOnly) {
            json.put("blobStore", azurite ? "azurite" : "local");
        }
        // 'broker': Kafka's own floor, the embedded broker as the stack configures it, with no client and no topic
        try (AutoCloseable stack = brokerOnly ? EmbeddedKafkaBroker.start(BrokerConfig.fromEnv(env)) : EmbeddedStack.start(env)) {
            System.err.printf("%s up; warming up %d s, then measuring %d s%n", measured, warmUp, seconds);
            warmUp(warmUp);
            Optional<Long> node = azurite ? nodePid() : Optional.empty();
            Map<String, long[]> before = threads();
            long cpu0 = ThreadCpu.processNanos();
            long nodeTicks0 = node.map(IdleBench::processTicks).orElse(0L);
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L); // the measured window: the stack is left alone
            long t1 = System.nanoTime();
            long cpu1 = ThreadCpu.processNanos();
            long nodeTicks1 = node.map(IdleBench::processTicks).orElse(0L);
            Map<String, long[]> after = threads();
            double window = (t1 - t0) / 1e9;
            json.put("stackCorePercent", round(100.0 * (cpu1 - cpu0) / 1e9 / window));
            json.put("stackCpuMsPerSecond", round((cpu1 - cpu0) / 1e6 / window));
            long wakeups = 0;
            ArrayNode rows = json.putArray("threads");
            Map<String, long[]> delta = new TreeMap<>();
            after.forEach((name, a) -> {
                long[] b = before.getOrDefault(name, new long[3]);
                delta.put(name, new long[] {a[0] - b[0], a[1] - b[1], a[2]});
            });
            for (Map.Entry<String, long[]> e : delta.entrySet().stream()
                    .sorted((x, y) -> Long.compare(y.getValue()[1] * 1000 + y.getValue()[0], x.getValue()[1] * 1000 + x.getValue()[0]))
                    .toList()) {
                wakeups += e.getValue()[1];
                if (e.getValue()[0] > 0 || e.getValue()[1] > 0) {
                    rows.addObject().put("thread", e.getKey()).put("count", e.getValue()[2])
                            .put("cpuMs", e.getValue()[0] * 1000 / CLOCK_TICKS)
                            .put("wakeupsPerSecond", round(e.getValue()[1] / window));
                }
            }
            json.put("wakeupsPerSecond", round(wakeups / window));
            ObjectNode components = json.putObject("components");
            Map<String, long[]> byComponent = new TreeMap<>();
            delta.forEach((name, d) -> {
                long[] sum = byComponent.computeIfAbsent(component(name), c -> new long[2]);
                sum[0] += d[0];
                sum[1] += d[1];
            });
            byComponent.forEach((component, d) -> components.putObject(component)
                    .put("corePercent", round(100.0 * d[0] / CLOCK_TICKS / window))
                    .put("wakeupsPerSecond", round(d[1] / window)));
            node.ifPresent(pid -> json.put("azuriteCorePercent", round(100.0 * (nodeTicks1 - nodeTicks0) / CLOCK_TICKS / window)));
        } finally {
            if (emulator != null) {
                emulator.close();
            }
        }
        BenchDirs.delete(home);
        json.put("loadAfter", loadAverage());
        BenchResults.write(json);
        System.exit(0);
    }

    /**
     * The warm-up: start-up work (class loading, JIT, first polls) settles. The readings are taken
     * every 10 s meanwhile, so that the JIT compiles this benchmark's own reading code before the
     * window, not in it.
     */
    private static void warmUp(int seconds) throws InterruptedException, IOException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
            Thread.sleep(Math.min(10_000L, left / 1_000_000 + 1));
            threads();
        }
    }

    /** Which part of the stack a thread (by its kernel name, digits as {@code #}) belongs to. */
    static String component(String thread) {
        for (Map.Entry<String, List<String>> c : COMPONENTS.entrySet()) {
            if (c.getValue().stream().anyMatch(thread::startsWith)) {
                return c.getKey();
            }
        }
        return "other";
    }

    private static final Map<String, List<String>> COMPONENTS = new java.util.LinkedHashMap<>();

    static {
        COMPONENTS.put("jvm-jit", List.of("C# CompilerThre"));
        COMPONENTS.put("jvm-gc-and-runtime", List.of("G#", "GC Thread", "VM ", "Monitor Deflati", "Service Thread",
                "Common-Cleaner", "Reference Handl", "Finalizer", "Signal Dispatch", "Notification Th", "Attach Listene"));
        COMPONENTS.put("dispatcher", List.of("dispatcher"));
        COMPONENTS.put("worker", List.of("runs-", "control-", "attempt-", "exit-watch"));
        COMPONENTS.put("log-shipper", List.of("log-shipper"));
        COMPONENTS.put("api", List.of("kindling-api", "vert.x-", "vertx-"));
        COMPONENTS.put("kafka-clients", List.of("kafka-coordinat", "kafka-producer-", "kafka-admin-cli"));
        COMPONENTS.put("management", List.of("kindling-health", "kindling-kafka-", "kindling-metric"));
        COMPONENTS.put("broker", List.of("data-plane-kafk", "ExpirationReape", "kafka-", "raft-", "group-coordinat",
                "share-", "quorum-controll", "controller-", "broker-", "metrics-meter-t", "executor-", "client-metrics-",
                "LogDirFailureHa", "transaction-", "ReplicaFetcher", "feature-", "node-to-control"));
    }

    /** Per thread name (threads of one name summed): CPU ticks, voluntary context switches, count. */
    static Map<String, long[]> threads() throws IOException {
        Map<String, long[]> out = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim().replaceAll("[0-9]+", "#");
                    long ticks = ticks(Files.readString(task.resolve("stat")));
                    long switches = Files.readAllLines(task.resolve("status")).stream()
                            .filter(l -> l.startsWith("voluntary_ctxt_switches:"))
                            .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).trim())).sum();
                    long[] sum = out.computeIfAbsent(name, n -> new long[3]);
                    sum[0] += ticks;
                    sum[1] += switches;
                    sum[2]++;
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return out;
    }

    /** utime + stime of a {@code stat} line (fields 14 and 15, after the parenthesised name). */
    private static long ticks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** CPU milliseconds per component between two {@link #threads()} readings. */
    static Map<String, Long> cpuMsByComponent(Map<String, long[]> before, Map<String, long[]> after) {
        Map<String, Long> out = new TreeMap<>();
        after.forEach((name, a) -> {
            long ticks = a[0] - before.getOrDefault(name, new long[3])[0];
            out.merge(component(name), ticks * 1000 / CLOCK_TICKS, Long::sum);
        });
        return out;
    }

    private static long processTicks(long pid) {
        try {
            return ticks(Files.readString(Path.of("/proc/" + pid + "/stat")));
        } catch (IOException e) {
            return 0;
        }
    }

    /** The Azurite emulator: this JVM's node child. */
    private static Optional<Long> nodePid() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("node")).orElse(false))
                .map(ProcessHandle::pid).findFirst();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The machine's load averages (1, 5, 15 min), as {@code uptime} shows them. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static double round(double v) {
        return Math.round(v * 100.0) / 100.0;
    }
}
