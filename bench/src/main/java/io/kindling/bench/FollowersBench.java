package io.kindling.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kindling.schemas.Json;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many followers of a few running jobs' logs ({@code GET /v1/jobs/{id}/logs/stdout?follow=true}):
 * the whole stack in one JVM ({@link BenchStack}), {@code jobs} stand-in drivers each printing
 * {@code linesPerSecond} time-stamped lines, and {@code followers} concurrent HTTP followers spread
 * over them. After every follower has had its first line, it measures for {@code seconds}: the
 * delay from a line's printing to its arrival at each follower (p50/p99/max over every line and
 * follower), and the CPU the api's threads used (Vert.x event loops, the api's I/O pool, the shared
 * log reader) as a share of one core. The stand-in drivers, the worker, the log-shipper and the
 * followers' own HTTP client are not counted in the api's CPU, but they run on the same cores.
 * Arguments: {@code [followers=1000] [jobs=10] [seconds=60] [linesPerSecond=20]}.
 */
public final class FollowersBench {
    private static final int MAX_MS = 60_000;
    private static final List<String> API_THREADS = List.of("vert.x-eventloop", "kindling-api-io", "log-tails");

    private FollowersBench() {
    }

    public static void main(String[] args) throws Exception {
        int followers = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int jobs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        int linesPerSecond = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        int runSeconds = seconds + 120; // the drivers outlive the measurement: followers connect first
        try (BenchStack stack = BenchStack.start(Map.of(
                "KINDLING_WORKER_MAX_RUNNING", Integer.toString(jobs),
                "KINDLING_MAX_STREAMS", Integer.toString(followers + 100),
                "KINDLING_MAX_STREAMS_PER_PRINCIPAL", Integer.toString(followers + 100)))) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                ids.add(stack.submit(stack.jobBody(Integer.toString(runSeconds), "0",
                        Integer.toString(runSeconds * linesPerSecond), "stamped")));
            }
            for (String id : ids) {
                awaitRunning(stack, id);
            }
            Delays delays = new Delays();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<CompletableFuture<HttpResponse<Void>>> streams = new ArrayList<>();
            List<Follower> all = new ArrayList<>();
            for (int i = 0; i < followers; i++) {
                Follower follower = new Follower(delays);
                all.add(follower);
                streams.add(http.sendAsync(stack.request("/v1/jobs/" + ids.get(i % jobs) + "/logs/stdout?follow=true&tail=0")
                        .GET().build(), HttpResponse.BodyHandlers.fromLineSubscriber(follower)));
            }
            long connectDeadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (all.stream().anyMatch(f -> f.lines.get() == 0) && System.nanoTime() < connectDeadline) {
                Thread.sleep(200); // waiting for the followers' first lines (not a measurement)
            }
            int connected = (int) all.stream().filter(f -> f.lines.get() > 0).count();
            delays.reset();
            long cpu0 = apiCpuNanos();
            long wall0 = System.nanoTime();
            Thread.sleep(Duration.ofSeconds(seconds)); // the measurement window
            long cpu = apiCpuNanos() - cpu0;
            long wall = System.nanoTime() - wall0;
            Map<String, Double> figures = delays.percentiles();
            streams.forEach(s -> s.cancel(true));
            stack.cancelAll(ids);

            ObjectNode json = BenchResults.start("followers");
            json.put("followers", followers);
            json.put("followersWithLines", connected);
            json.put("jobs", jobs);
            json.put("linesPerSecondPerJob", linesPerSecond);
            json.put("seconds", seconds);
            json.put("linesReceived", delays.count());
            json.put("apiCpuCores", Math.round(cpu * 1000.0 / wall) / 1000.0);
            json.set("lineDelayMs", Json.mapper().valueToTree(figures));
            json.put("load", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            BenchResults.write(json);
        }
        System.exit(0); // the followers' HTTP client keeps non-daemon threads
    }

    private static void awaitRunning(BenchStack stack, String id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!stack.state(id).equals("RUNNING")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + id + " did not start running");
            }
            Thread.sleep(200); // polling the api
        }
    }

    /** CPU time of the api's threads (by name), in nanoseconds. */
    private static long apiCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && API_THREADS.stream().anyMatch(info.getThreadName()::startsWith)) {
                long cpu = threads.getThreadCpuTime(info.getThreadId());
                total += Math.max(0, cpu);
            }
        }
        return total;
    }

    /** Delays from a line's printing to its arrival, in 1 ms buckets up to a minute. */
    private static final class Delays {
        private final AtomicIntegerArray buckets = new AtomicIntegerArray(MAX_MS + 1);
        private final AtomicLong count = new AtomicLong();

        void add(long ms) {
            buckets.incrementAndGet((int) Math.max(0, Math.min(MAX_MS, ms)));
            count.incrementAndGet();
        }

        void reset() {
            for (int i = 0; i <= MAX_MS; i++) {
                buckets.set(i, 0);
            }
            count.set(0);
        }

        long count() {
            return count.get();
        }

        Map<String, Double> percentiles() {
            long n = count.get();
            Map<String, Double> out = new java.util.LinkedHashMap<>();
            out.put("count", (double) n);
            long seen = 0;
            double[] wanted = {50, 90, 99, 100};
            int next = 0;
            for (int ms = 0; ms <= MAX_MS && next < wanted.length; ms++) {
                seen += buckets.get(ms);
                while (next < wanted.length && n > 0 && seen >= Math.ceil(wanted[next] / 100.0 * n)) {
                    out.put(wanted[next] == 100 ? "max" : "p" + (int) wanted[next], (double) ms);
                    next++;
                }
            }
            return out;
        }
    }

    /** One follower: the delay of each stamped line it receives. */
    private static final class Follower implements Flow.Subscriber<String> {
        private final Delays delays;
        private final AtomicInteger lines = new AtomicInteger();

        Follower(Delays delays) {
            this.delays = delays;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            int space = line.lastIndexOf(' ');
            if (line.startsWith("numbered ") && space > 0) {
                long now = System.currentTimeMillis();
                delays.add(now - Long.parseLong(line.substring(space + 1).trim()));
                lines.incrementAndGet();
            }
        }

        @Override
        public void onError(Throwable throwable) {
        }

        @Override
        public void onComplete() {
        }
    }
}
