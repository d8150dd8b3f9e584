package io.kindling.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kindling.schemas.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;

/**
 * POSTs one job body to {@code /v1/jobs} over and over, each answer awaited asynchronously: open
 * loop at a rate (each latency counts from the POST's scheduled time, so a stalled server is not
 * hidden by a client that waits for it), or closed loop with {@value #SUBMITTERS} POSTs in flight.
 */
final class JobPoster implements AutoCloseable {
    static final int SUBMITTERS = 64;

    private final ExecutorService clientThreads = Executors.newFixedThreadPool(4);
    private final HttpClient http;
    private final URI jobs;
    private final String authorization;
    private final String body;

    JobPoster(String jobsUrl, String authorization, String body) {
        this.http = HttpClient.newBuilder().executor(clientThreads).version(HttpClient.Version.HTTP_1_1).build();
        this.jobs = URI.create(jobsUrl);
        this.authorization = authorization;
        this.body = body;
    }

    /** The POSTs of one phase: each accepted job's scheduled POST time, each POST → 202 in ms, the refusals by answer. */
    record Run(Map<String, Instant> submitted, List<Double> submitMs, Map<String, Integer> refused, Instant start,
            Instant lastPost) {
        /** From the phase's start until its last POST was answered. */
        double seconds() {
            return Duration.between(start, lastPost).toNanos() / 1e9;
        }

        /** What a benchmark reports of its POSTs: accepted, refused by answer, POSTs a second, POST → 202 percentiles. */
        void report(ObjectNode json) {
            json.put("accepted", submitted.size());
            json.set("refused", Json.mapper().valueToTree(refused));
            json.put("postsPerSecond", Percentiles.round(submitMs.size() / seconds()));
            json.set("submitLatencyMs", Json.mapper().valueToTree(Percentiles.of(submitMs)));
        }
    }

    /** Makes {@code posts} POSTs, {@code rate} a second (open loop) or, with a rate of 0, closed loop; returns when all are answered. */
    Run run(int posts, double rate) throws InterruptedException {
        Map<String, Instant> submitted = new ConcurrentHashMap<>();
        List<Double> submitMs = Collections.synchronizedList(new ArrayList<>());
        Map<String, Integer> refused = new ConcurrentHashMap<>();
        Semaphore inFlight = new Semaphore(SUBMITTERS); // closed loop only
        Semaphore answered = new Semaphore(0); // a permit per POST answered (their responses are not kept)
        Instant start = Instant.now();
        long t0 = System.nanoTime();
        for (int i = 0; i < posts; i++) {
            long scheduled = rate > 0 ? t0 + (long) (i * 1e9 / rate) : System.nanoTime();
            if (rate > 0) {
                long wait;
                while ((wait = scheduled - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
            } else {
                inFlight.acquire();
            }
            Instant at = Instant.now().minusNanos(Math.max(0, System.nanoTime() - scheduled));
            HttpRequest post = HttpRequest.newBuilder(jobs).header("Authorization", authorization)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
            var unused = http.sendAsync(post, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
                try {
                    if (r != null && r.statusCode() == 202) {
                        submitMs.add((System.nanoTime() - scheduled) / 1e6);
                        submitted.put(id(r.body()), at);
                    } else {
                        // refused (e.g. 503: the api's I/O pool is full) or failed: counted, not retried
                        refused.merge(r != null ? "HTTP " + r.statusCode() : e.getClass().getSimpleName(), 1, Integer::sum);
                    }
                } finally {
                    if (rate <= 0) {
                        inFlight.release();
                    }
                    answered.release();
                }
            });
        }
        answered.acquire(posts);
        return new Run(submitted, submitMs, refused, start, Instant.now());
    }

    private static String id(String body) {
        try {
            return Json.mapper().readTree(body).get("id").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        http.close();
        clientThreads.shutdown();
    }
}
