package io.kindling.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.launcher.Launch;
import io.kindling.worker.launcher.LaunchedApp;
import io.kindling.worker.launcher.SparkSubmitConfig;
import io.kindling.worker.launcher.SparkSubmitLauncher;
import io.kindling.worker.shim.ShimInfo;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What supervising an attempt costs, through the worker's real {@link SparkSubmitLauncher} and
 * its attempt shim, with a stand-in {@code spark-submit} that sleeps (so the figures are the
 * supervisor's, not Spark's): one launch first (its figure is reported apart: it loads classes
 * and may copy the shim binary out of the jar), then {@code attempts} launched one after the
 * other, then, while all run,
 * <ul>
 *   <li>{@code launchToExecMs}: from the worker's {@code launch} call to the moment the shim
 *       exec'd spark-submit ({@code execAt} in {@code shim.json}; wall clocks of one host);
 *   <li>{@code launchCallMs}: how long the {@code launch} call took (it returns once spark-submit runs);
 *   <li>{@code shimRssKiB}: VmRSS of each shim process ({@code /proc/<pid>/status});
 *   <li>{@code watcherHeapBytesPerAttempt}: the worker's heap per running attempt: used heap after
 *       a full GC with every attempt watched by a parked virtual thread (as the worker does), minus
 *       before, divided by {@code attempts}.
 * </ul>
 * Then every attempt is cancelled (its shim stops the process tree). Prints the figures and writes
 * them to {@code bench/results/shim-<time>.json}.
 */
public final class ShimBench {
    private ShimBench() {
    }

    public static void main(String[] args) throws Exception {
        int attempts = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        // a worker has its logging set up long before its first launch
        org.slf4j.LoggerFactory.getLogger(ShimBench.class).info("measuring {} attempts", attempts);
        Path dir = Files.createTempDirectory("kindling-shim-bench");
        Path sparkHome = dir.resolve("spark");
        Files.createDirectories(sparkHome.resolve("bin"));
        Path script = Files.writeString(sparkHome.resolve("bin/spark-submit"), "#!/bin/sh\nexec sleep 600\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path app = Files.writeString(dir.resolve("app.py"), "# run by the stand-in spark-submit\n");
        SpoolLayout spool = new SpoolLayout(dir.resolve("spool"));
        SparkSubmitLauncher launcher = new SparkSubmitLauncher(new SparkSubmitConfig(sparkHome, null, null, "local[1]"),
                spool, Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")), Duration.ofSeconds(2),
                Duration.ZERO);

        List<Double> launchToExec = new ArrayList<>();
        List<Double> launchCall = new ArrayList<>();
        List<Double> rss = new ArrayList<>();
        double[] first = {0, 0};
        List<RunAssignment> runs = new ArrayList<>();
        List<LaunchedApp> apps = new ArrayList<>();
        long heapBefore = 0;
        try {
            for (int i = -1; i < attempts; i++) {
                if (i == 0) {
                    heapBefore = heapAfterGc();
                }
                JobSpec spec = new JobSpec(null, "bench", new Application(ApplicationType.PYTHON, app.toString(), null,
                        List.of()), Map.of(), null, Map.of(), null, null, null, null, null, Map.of(), null, null, null);
                RunAssignment run = RunAssignment.of(i < 0 ? "shim-bench-warmup" : "shim-bench-" + i, 1, spec, Instant.now());
                Instant called = Instant.now();
                long start = System.nanoTime();
                Launch launch = launcher.launch(run);
                launchCall.add((System.nanoTime() - start) / 1e6);
                if (!(launch instanceof Launch.Started started)) {
                    throw new IllegalStateException("not started: " + launch);
                }
                runs.add(run);
                ShimInfo info = Json.decode(Files.readAllBytes(spool.attemptDir(run.attemptId()).resolve("shim.json")),
                        ShimInfo.class);
                double toExec = Duration.between(called, info.execAt()).toNanos() / 1e6;
                if (i < 0) {
                    first = new double[] {toExec, launchCall.removeLast()};
                    continue;
                }
                apps.add(started.app());
                launchToExec.add(toExec);
            }
            for (LaunchedApp launched : apps) {
                Thread.ofVirtual().start(() -> {
                    try {
                        launched.awaitExit();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            Thread.sleep(1000);
            long heapPerAttempt = (heapAfterGc() - heapBefore) / attempts;
            for (RunAssignment run : runs.subList(1, runs.size())) {
                ShimInfo info = Json.decode(Files.readAllBytes(spool.attemptDir(run.attemptId()).resolve("shim.json")),
                        ShimInfo.class);
                rss.add((double) vmRssKiB(info.shimPid()));
            }
            report(attempts, first, launchToExec, launchCall, rss, heapPerAttempt);
        } finally {
            for (RunAssignment run : runs) {
                launcher.cancel(run.attemptId());
            }
            launcher.close();
        }
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long vmRssKiB(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for pid " + pid);
    }

    private static void report(int attempts, double[] first, List<Double> launchToExec, List<Double> launchCall, List<Double> rss,
            long heapPerAttempt) throws Exception {
        ObjectNode json = BenchResults.start("shim");
        json.put("attempts", attempts);
        json.put("firstLaunchToExecMs", Math.round(first[0] * 10) / 10.0);
        json.put("firstLaunchCallMs", Math.round(first[1] * 10) / 10.0);
        json.put("loadAverage", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        json.set("launchToExecMs", Json.mapper().valueToTree(Percentiles.of(launchToExec)));
        json.set("launchCallMs", Json.mapper().valueToTree(Percentiles.of(launchCall)));
        json.set("shimRssKiB", Json.mapper().valueToTree(Percentiles.of(rss)));
        json.put("watcherHeapBytesPerAttempt", heapPerAttempt);
        BenchResults.write(json);
    }
}
