package io.kindling.e2e.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.testsupport.auth.TestTokens;
import io.kindling.testsupport.kafka.SharedKafka;
import io.kindling.testsupport.spark.StandInSpark;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 3's crash test. The api, dispatcher and worker each run in a JVM of their own against the
 * real Kafka broker; a batch of jobs is in flight while each component is killed with SIGKILL
 * twice, at moments drawn at random (after the N-th event on the events topic), and restarted.
 * Then: every job ends in a terminal state (and the right one), no attempt of a job ever ran
 * while another of its attempts ran and no attempt was launched twice (from the stand-in
 * spark-submit's ledger), and each job's events are in order.
 */
@Timeout(420)
class CrashIT {
    private static final Logger LOG = LoggerFactory.getLogger(CrashIT.class);
    private static final Duration DEADLINE = Duration.ofMinutes(4);
    private static final int GOOD_JOBS = 9;
    private static final int FAILING_JOBS = 3;

    @TempDir
    Path dir;
    private final List<ComponentProcess> components = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private int apiPort;
    private String authorization;

    @AfterEach
    void stopAll() throws InterruptedException {
        for (ComponentProcess component : components) {
            component.stop();
        }
    }

    @Test
    void jobsSurviveKilledComponents() throws Exception {
        long seed = Long.getLong("kindling.crash.seed", System.nanoTime());
        LOG.info("crash test seed {} (rerun with -Dkindling.crash.seed={})", seed, seed);
        Random random = new Random(seed);
        String prefix = "crash-" + Long.toHexString(seed & 0xffffff) + ".";
        StandInSpark spark = StandInSpark.create(dir, python());
        Path app = Files.writeString(dir.resolve("app.py"), "# run by the stand-in spark-submit\n");
        apiPort = freePort();
        TestTokens tokens = TestTokens.admin();
        authorization = tokens.get("admin").bearer();

        Map<String, String> common = Map.of(
                "KINDLING_KAFKA_BOOTSTRAP_SERVERS", SharedKafka.bootstrapServers(),
                "KINDLING_TOPIC_PREFIX", prefix,
                "KINDLING_TOPIC_PARTITIONS", "3");
        ComponentProcess dispatcher = component("dispatcher", "io.kindling.dispatcher.DispatcherMain", common, Map.of(
                "KINDLING_HOME", dir.resolve("dispatcher").toString()));
        ComponentProcess worker = component("worker", "io.kindling.worker.WorkerMain", common, Map.of(
                "KINDLING_HOME", dir.resolve("worker").toString(),
                "KINDLING_SPARK_HOME", spark.home().toString(),
                "KINDLING_WORKER_ID", "crash-worker",
                "KINDLING_WORKER_LOCAL_PATHS", dir.toString(),
                "KINDLING_WORKER_MAX_RUNNING", "3"));
        ComponentProcess api = component("api", "io.kindling.api.ApiMain", common, Map.of(
                "KINDLING_HOME", dir.resolve("api").toString(),
                "KINDLING_HTTP_HOST", "127.0.0.1",
                "KINDLING_HTTP_PORT", Integer.toString(apiPort),
                "KINDLING_BLOB_STORE", "local",
                "KINDLING_BLOB_DIR", dir.resolve("blobs").toString(),
                "KINDLING_AUTH_TOKENS_FILE", tokens.write(dir.resolve("tokens.yaml")).toString()));
        for (ComponentProcess c : components) {
            c.start();
        }
        awaitApiReady();

        try (EventsObserver events = new EventsObserver(SharedKafka.bootstrapServers(), prefix + "jobs.events")) {
            Map<String, Boolean> jobs = new LinkedHashMap<>();   // job id -> expected to succeed
            for (int i = 0; i < GOOD_JOBS - 3; i++) {
                jobs.put(submit("good-" + i, app, "3", "0", 3), true);
            }
            for (int i = 0; i < FAILING_JOBS; i++) {
                jobs.put(submit("bad-" + i, app, "1", "3", 2), false);
            }

            List<ComponentProcess> victims = new ArrayList<>(List.of(dispatcher, dispatcher, worker, worker, api, api));
            Collections.shuffle(victims, random);
            TreeSet<Integer> moments = new TreeSet<>();
            while (moments.size() < victims.size()) {
                moments.add(3 + random.nextInt(40));
            }
            int k = 0;
            int seenAtLastKill = 0;
            for (int drawn : moments) {
                ComponentProcess victim = victims.get(k++);
                // at the drawn event, but never before the stack has moved on since the last kill
                int moment = Math.max(drawn, seenAtLastKill + 3);
                await("event #" + moment).atMost(DEADLINE).until(() -> events.count() >= moment || allTerminal(events, jobs));
                seenAtLastKill = events.count();
                LOG.info("killing {} at event {} ({} events seen)", victim.name(), moment, events.count());
                victim.kill();
                victim.start();
                if (k == 3) {
                    for (int i = GOOD_JOBS - 3; i < GOOD_JOBS; i++) {
                        jobs.put(submit("good-" + i, app, "2", "0", 3), true);
                    }
                }
            }

            await("every job terminal").atMost(DEADLINE).pollInterval(Duration.ofMillis(500))
                    .until(() -> allTerminal(events, jobs));

            for (Map.Entry<String, Boolean> job : jobs.entrySet()) {
                List<JobEvent> list = events.events(job.getKey());
                assertInOrder(job.getKey(), list);
                JobEvent last = list.get(list.size() - 1);
                if (job.getValue()) {
                    assertThat(last.state()).as("job %s: %s", job.getKey(), list).isEqualTo(JobState.SUCCEEDED);
                } else {
                    assertThat(last.state()).as("job %s: %s", job.getKey(), list).isEqualTo(JobState.FAILED);
                    assertThat(last.reason()).isEqualTo(FailureReason.APP_FAILED);
                }
            }
            assertNoOverlappingAttempts(spark.runs());
            awaitApiReady();
            for (String id : jobs.keySet()) {
                assertThat(get("/v1/jobs/" + id).body()).as("the restarted api knows job %s", id).contains("\"state\":\"");
            }
            LOG.info("crash test: {} jobs, {} events, restarts {}", jobs.size(), events.count(),
                    components.stream().map(c -> c.name() + "=" + (c.starts() - 1)).toList());
        }
    }

    private static boolean allTerminal(EventsObserver events, Map<String, Boolean> jobs) {
        return jobs.keySet().stream().allMatch(events::terminal);
    }

    /** One terminal event, last; attempt numbers never go back; within an attempt, states only move forward. */
    static void assertInOrder(String jobId, List<JobEvent> events) {
        assertThat(events).as("events of %s", jobId).isNotEmpty();
        assertThat(events.get(0).state()).as("first event of %s", jobId).isEqualTo(JobState.QUEUED);
        assertThat(events.stream().filter(e -> e.state().terminal()).count()).as("terminal events of %s", jobId).isEqualTo(1);
        assertThat(events.get(events.size() - 1).state().terminal()).as("the terminal event of %s is last", jobId).isTrue();
        Set<String> ids = new HashSet<>();
        int attempt = 0;
        int rank = 0;
        Map<JobState, Integer> ranks = new EnumMap<>(Map.of(JobState.DISPATCHED, 1, JobState.SUBMITTING, 2,
                JobState.RUNNING, 3, JobState.RETRYING, 4, JobState.SUCCEEDED, 4, JobState.FAILED, 4, JobState.CANCELLED, 4));
        for (JobEvent e : events) {
            assertThat(ids.add(e.eventId())).as("event %s of %s appears once", e.eventId(), jobId).isTrue();
            if (e.attempt() == null) {
                continue;
            }
            assertThat(e.attempt()).as("attempt numbers of %s never go back: %s", jobId, events).isGreaterThanOrEqualTo(attempt);
            if (e.attempt() > attempt) {
                attempt = e.attempt();
                rank = 0;
            }
            int r = ranks.getOrDefault(e.state(), 0);
            assertThat(r).as("attempt %d of %s moves forward: %s", attempt, jobId, events).isGreaterThan(rank);
            rank = r;
        }
    }

    static void assertNoOverlappingAttempts(List<StandInSpark.Run> runs) {
        Map<String, List<StandInSpark.Run>> byJob = new HashMap<>();
        for (StandInSpark.Run run : runs) {
            assertThat(run.starts()).as("attempt %s was launched once", run.attemptId()).isEqualTo(1);
            byJob.computeIfAbsent(run.jobId(), id -> new ArrayList<>()).add(run);
        }
        byJob.forEach((job, list) -> {
            list.sort(java.util.Comparator.comparingLong(StandInSpark.Run::firstMillis));
            for (int i = 1; i < list.size(); i++) {
                assertThat(list.get(i).firstMillis()).as("attempt %s of job %s started after %s ended",
                        list.get(i).attemptId(), job, list.get(i - 1).attemptId())
                        .isGreaterThan(list.get(i - 1).lastMillis());
            }
        });
    }

    private ComponentProcess component(String name, String mainClass, Map<String, String> common, Map<String, String> own)
            throws IOException {
        Map<String, String> env = new HashMap<>(common);
        env.putAll(own);
        ComponentProcess c = new ComponentProcess(name, mainClass, env, dir.resolve(name + ".log"));
        components.add(c);
        return c;
    }

    /** Submits with an idempotency key, retrying while the api is down or restarting: one job whatever happens. */
    private String submit(String key, Path app, String seconds, String exitCode, int maxAttempts) {
        String body = """
                {"name": "%s", "application": {"type": "python", "file": "%s", "args": ["%s", "%s"]},
                 "retry": {"maxAttempts": %d, "initialBackoffSeconds": 1, "maxBackoffSeconds": 2}}
                """.formatted(key, app, seconds, exitCode, maxAttempts);
        HttpResponse<String> response = await("submit " + key).atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(300)).ignoreExceptionsInstanceOf(ConnectException.class)
                .until(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/v1/jobs"))
                                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                                .header("Authorization", authorization)
                                .timeout(Duration.ofSeconds(15)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString()),
                        r -> r.statusCode() == 202 || r.statusCode() == 200);
        String json = response.body();
        int start = json.indexOf("\"id\":\"") + 6;
        return json.substring(start, json.indexOf('"', start));
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
                .header("Authorization", authorization).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void awaitApiReady() {
        await("api ready").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                .ignoreExceptionsInstanceOf(ConnectException.class)
                .until(() -> get("/health/ready").statusCode() == 200);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static Path python() {
        Path venv = io.kindling.e2e.ProjectTools.projectDir().resolve(".tools/spark-venv/bin/python");
        if (Files.isExecutable(venv)) {
            return venv;
        }
        for (String candidate : List.of("/usr/bin/python3", "/usr/local/bin/python3")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        throw new IllegalStateException("no python3 for the stand-in spark-submit: run ./kindling provision");
    }
}
