package io.kindling.e2e.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.testsupport.kafka.SharedKafka;
import io.kindling.testsupport.spark.StandInSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
    private CrashStack stack;

    @AfterEach
    void stopAll() throws InterruptedException {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void jobsSurviveKilledComponents() throws Exception {
        long seed = Long.getLong("kindling.crash.seed", System.nanoTime());
        LOG.info("crash test seed {} (rerun with -Dkindling.crash.seed={})", seed, seed);
        Random random = new Random(seed);
        stack = new CrashStack(dir, dir, "crash-" + Long.toHexString(seed & 0xffffff) + ".");
        StandInSpark spark = StandInSpark.create(dir, CrashStack.python());
        Path app = Files.writeString(dir.resolve("app.py"), "# run by the stand-in spark-submit\n");

        ComponentProcess dispatcher = stack.onKafka("dispatcher", "io.kindling.dispatcher.DispatcherMain", Map.of());
        ComponentProcess worker = stack.onKafka("worker", "io.kindling.worker.WorkerMain", Map.of(
                "KINDLING_SPARK_HOME", spark.home().toString(),
                "KINDLING_WORKER_ID", "crash-worker",
                "KINDLING_WORKER_LOCAL_PATHS", dir.toString(),
                "KINDLING_WORKER_MAX_RUNNING", "3"));
        ComponentProcess api = stack.api();
        stack.startAll();
        stack.awaitApiReady();

        try (EventsObserver events = new EventsObserver(SharedKafka.bootstrapServers(), stack.prefix() + "jobs.events")) {
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
                CrashChecks.assertEnded(job.getKey(), events.events(job.getKey()), job.getValue());
            }
            CrashChecks.assertNoOverlappingAttempts(spark.runs());
            stack.awaitApiReady();
            for (String id : jobs.keySet()) {
                assertThat(stack.get("/v1/jobs/" + id).body()).as("the restarted api knows job %s", id).contains("\"state\":\"");
            }
            LOG.info("crash test: {} jobs, {} events, restarts {}", jobs.size(), events.count(),
                    stack.restarts());
        }
    }

    private static boolean allTerminal(EventsObserver events, Map<String, Boolean> jobs) {
        return jobs.keySet().stream().allMatch(events::terminal);
    }

    private String submit(String key, Path app, String seconds, String exitCode, int maxAttempts) {
        return stack.submit(key, """
                {"name": "%s", "application": {"type": "python", "file": "%s", "args": ["%s", "%s"]},
                 "retry": {"maxAttempts": %d, "initialBackoffSeconds": 1, "maxBackoffSeconds": 2}}
                """.formatted(key, app, seconds, exitCode, maxAttempts));
    }
}
