package io.kindling.e2e.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.schemas.JobEvent;
import io.kindling.testsupport.kafka.SharedKafka;
import io.kindling.testsupport.spark.StandInSpark;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 10's crash test: 500 jobs, each printing numbered lines, run through the api, two
 * dispatchers (one active, one standing by), a worker and a log-shipper, each a JVM of its own
 * against the real broker, while 22 SIGKILLs hit the api, the active dispatcher, the standby
 * dispatcher, the worker and the shipper at moments drawn at random (seeded; the seed is
 * printed) and spread over the run; each killed process is started again. Then: every job ends
 * in the state it should (0 lost), its events are in order, no two attempts of a job overlapped
 * and none was launched twice (the stand-in spark-submit's ledger), the ending attempt's stdout
 * read through the api holds every numbered line exactly once, in order; and after each kill of
 * the active dispatcher the standby dispatched again within 15 s. A dispatcher is killed only once
 * its previous process's restart has joined the leader group (so a kill of the active one always
 * leaves a running standby), and the last {@link #HELD} jobs wait for the kills (so such a kill always
 * leaves a job to dispatch).
 */
@Timeout(2400)
class LargeCrashIT {
    private static final Logger LOG = LoggerFactory.getLogger(LargeCrashIT.class);
    private static final int JOBS = 500;
    private static final int LINES = 25;
    private static final int SLOTS = 8;
    private static final int BACKLOG = 40;
    /**
     * The last jobs, held back until every kill is done (all kills happen before this many jobs are
     * left): an active dispatcher's kill always has a job left to dispatch. Each such kill lets
     * one of them through, for when every job submitted so far has ended.
     */
    private static final int HELD = 30;
    private static final Duration TAKEOVER = Duration.ofSeconds(15);
    private static final Duration DEADLINE = Duration.ofMinutes(6);
    private static final Pattern NUMBERED = Pattern.compile("^numbered (\\d{6}) (\\S+)$", Pattern.MULTILINE);

    private enum Victim { API, ACTIVE_DISPATCHER, STANDBY_DISPATCHER, WORKER, SHIPPER }

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
    void fiveHundredJobsSurviveTwentyTwoKills() throws Exception {
        long began = System.nanoTime();
        long seed = Long.getLong("kindling.crash.seed", System.nanoTime());
        LOG.info("large crash test seed {} (rerun with -Dkindling.crash.seed={})", seed, seed);
        System.out.println("LargeCrashIT seed " + seed + " (rerun with -Dkindling.crash.seed=" + seed + ")");
        Random random = new Random(seed);
        Path logs = Files.createDirectories(Path.of("target", "LargeCrashIT-" + seed));
        LOG.info("components' logs in {}", logs.toAbsolutePath());
        stack = new CrashStack(dir, logs, "bigcrash-" + Long.toHexString(seed & 0xffffff) + ".");
        StandInSpark spark = StandInSpark.create(dir, CrashStack.python());
        Path app = Files.writeString(dir.resolve("app.py"), "# run by the stand-in spark-submit\n");
        Path pools = Files.writeString(dir.resolve("pools.yaml"), """
                pools:
                  default:
                    maxRunning: %d
                """.formatted(SLOTS));

        Map<String, ComponentProcess> dispatchers = new HashMap<>();
        for (String id : List.of("dispatcher-a", "dispatcher-b")) {
            dispatchers.put(id, stack.onKafka(id, "io.kindling.dispatcher.DispatcherMain", Map.of(
                    "KINDLING_CONFIG", pools.toString(),
                    "KINDLING_DISPATCHER_ID", id)));
        }
        Path spool = dir.resolve("worker/spool");
        ComponentProcess worker = stack.onKafka("worker", "io.kindling.worker.WorkerMain", Map.of(
                "KINDLING_SPOOL_DIR", spool.toString(),
                "KINDLING_SPARK_HOME", spark.home().toString(),
                "KINDLING_WORKER_ID", "crash-worker",
                "KINDLING_WORKER_LOCAL_PATHS", dir.toString(),
                "KINDLING_WORKER_MAX_RUNNING", Integer.toString(SLOTS)));
        ComponentProcess shipper = stack.component("shipper", "io.kindling.shipper.ShipperMain", Map.of(
                "KINDLING_SPOOL_DIR", spool.toString(),
                "KINDLING_BLOB_STORE", "local",
                "KINDLING_BLOB_DIR", dir.resolve("blobs").toString(),
                "KINDLING_SHIPPER_POLL_MILLIS", "200"));
        ComponentProcess api = stack.api();
        stack.startAll();

        List<Victim> victims = new ArrayList<>();
        victims.addAll(Collections.nCopies(4, Victim.API));
        victims.addAll(Collections.nCopies(5, Victim.ACTIVE_DISPATCHER));
        victims.addAll(Collections.nCopies(4, Victim.STANDBY_DISPATCHER));
        victims.addAll(Collections.nCopies(5, Victim.WORKER));
        victims.addAll(Collections.nCopies(4, Victim.SHIPPER));
        Collections.shuffle(victims, random);
        // one moment in each of as many equal slices of the run as there are kills, measured in finished jobs
        int from = 15;
        int to = JOBS - HELD;
        List<Integer> moments = new ArrayList<>();
        for (int k = 0; k < victims.size(); k++) {
            int lo = from + (to - from) * k / victims.size();
            int hi = from + (to - from) * (k + 1) / victims.size();
            moments.add(lo + random.nextInt(Math.max(1, hi - lo)));
        }
        LOG.info("kill plan: {} at {} finished jobs", victims, moments);

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()));
             EventsObserver events = new EventsObserver(SharedKafka.bootstrapServers(), stack.prefix() + "jobs.events")) {
            stack.awaitApiReady();
            awaitLeaderGroup(admin, Set.of());

            Map<String, Boolean> jobs = new ConcurrentHashMap<>();   // job id -> expected to succeed
            AtomicReference<Throwable> submitFailure = new AtomicReference<>();
            AtomicInteger submitted = new AtomicInteger();
            AtomicBoolean killsDone = new AtomicBoolean();
            Semaphore letThrough = new Semaphore(0);
            Thread submitter = new Thread(() -> {
                try {
                    for (int i = 0; i < JOBS; i++) {
                        int n = i;
                        // keep a backlog, so the run lasts and the api is killed while jobs arrive
                        await("backlog below " + BACKLOG).atMost(DEADLINE).pollInterval(Duration.ofMillis(50))
                                .until(() -> n - events.terminalJobs() < BACKLOG);
                        if (n >= JOBS - HELD) {
                            await("the kills done, or an active dispatcher killed").atMost(DEADLINE)
                                    .pollInterval(Duration.ofMillis(50))
                                    .until(() -> killsDone.get() || letThrough.tryAcquire());
                        }
                        boolean good = i % 10 != 7;
                        String id = good ? submit("good-" + i, app, "0.4", "0", LINES, 4)
                                : submit("bad-" + i, app, "0.2", "3", LINES, 2);
                        jobs.put(id, good);
                        submitted.incrementAndGet();
                    }
                } catch (Throwable e) {
                    LOG.error("submitting failed", e);
                    submitFailure.set(e);
                }
            }, "submitter");
            submitter.start();

            List<Long> takeovers = new ArrayList<>();
            Map<Victim, Integer> kills = new java.util.EnumMap<>(Victim.class);
            for (int k = 0; k < victims.size(); k++) {
                Victim victim = victims.get(k);
                int moment = moments.get(k);
                await("job #" + moment + " finished").atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                        .failFast(() -> submitFailure.get() != null)
                        .until(() -> events.terminalJobs() >= moment);
                LOG.info("kill {}/{}: {} at {} finished jobs", k + 1, victims.size(), victim, events.terminalJobs());
                switch (victim) {
                    case API -> restart(api);
                    case WORKER -> restart(worker);
                    case SHIPPER -> restart(shipper);
                    case STANDBY_DISPATCHER -> {
                        Leaders before = awaitLeaderGroup(admin, Set.of());
                        restart(dispatchers.get(before.standby()));
                        awaitLeaderGroup(admin, Set.of(before.standbyMember())); // its new process has joined
                    }
                    case ACTIVE_DISPATCHER -> {
                        Leaders before = awaitLeaderGroup(admin, Set.of());
                        ComponentProcess active = dispatchers.get(before.active());
                        active.kill();
                        Instant killed = Instant.now();
                        letThrough.release(); // a job to dispatch even if every one submitted so far has ended
                        EventsObserver.Observed next = await("a dispatch after the active dispatcher's kill")
                                .atMost(TAKEOVER.plusSeconds(30)).pollInterval(Duration.ofMillis(50))
                                .until(() -> events.dispatchedAfter(killed), Optional::isPresent).orElseThrow();
                        long takeover = Duration.between(killed, next.received()).toMillis();
                        takeovers.add(takeover);
                        LOG.info("MEASURED takeover: {} dispatched {} ms after {} was killed", next.event().jobId(),
                                takeover, active.name());
                        assertThat(takeover).as("dispatching again after the active dispatcher's kill (ms)")
                                .isLessThanOrEqualTo(TAKEOVER.toMillis());
                        active.start();
                        awaitLeaderGroup(admin, Set.of(before.activeMember())); // its new process has joined
                    }
                }
                kills.merge(victim, 1, Integer::sum);
            }
            killsDone.set(true);

            submitter.join(DEADLINE.toMillis());
            assertThat(submitFailure.get()).as("submitting").isNull();
            assertThat(submitted.get()).isEqualTo(JOBS);
            assertThat(jobs).hasSize(JOBS);
            await("every job terminal").atMost(DEADLINE).pollInterval(Duration.ofMillis(500))
                    .until(() -> jobs.keySet().stream().allMatch(events::terminal));
            long runMillis = (System.nanoTime() - began) / 1_000_000;

            Map<String, JobEvent> ends = new HashMap<>();
            for (Map.Entry<String, Boolean> job : jobs.entrySet()) {
                ends.put(job.getKey(), CrashChecks.assertEnded(job.getKey(), events.events(job.getKey()), job.getValue()));
            }
            List<StandInSpark.Run> runs = spark.runs();
            CrashChecks.assertNoOverlappingAttempts(runs);

            stack.awaitApiReady();
            Set<String> checked = ConcurrentHashMap.newKeySet();
            await("every job's log complete and checked").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        for (Map.Entry<String, JobEvent> end : ends.entrySet()) {
                            if (!checked.contains(end.getKey()) && checkLog(end.getKey(), end.getValue())) {
                                checked.add(end.getKey());
                            }
                        }
                        return checked.size() == ends.size();
                    });
            long totalMillis = (System.nanoTime() - began) / 1_000_000;
            String summary = ("MEASURED large crash test: seed %d, %d jobs (%d attempts run), %d events, %d kills %s, "
                    + "restarts %s, takeovers after killing the active dispatcher %s ms (max %d), "
                    + "%d numbered lines checked, jobs done in %d ms, total %d ms").formatted(seed, jobs.size(),
                    runs.size(), events.count(), kills.values().stream().mapToInt(Integer::intValue).sum(), kills,
                    stack.restarts(), takeovers,
                    takeovers.stream().mapToLong(Long::longValue).max().orElse(0), (long) checked.size() * LINES,
                    runMillis, totalMillis);
            LOG.info(summary);
            System.out.println(summary);
            assertThat(kills.values().stream().mapToInt(Integer::intValue).sum()).isGreaterThanOrEqualTo(20);
        }
    }

    /**
     * True once the ending attempt's stdout is complete; then it must hold lines 1..LINES of that
     * attempt, each once, in order.
     */
    private boolean checkLog(String jobId, JobEvent end) throws IOException, InterruptedException {
        HttpResponse<String> r = stack.get("/v1/jobs/" + jobId + "/logs/stdout?attempt=" + end.attempt()
                + "&offset=0&limit=1048576");
        if (r.statusCode() != 200 || !r.headers().firstValue("Kindling-Log-Complete").orElse("").equals("true")) {
            return false;
        }
        Matcher m = NUMBERED.matcher(r.body());
        int expected = 1;
        while (m.find()) {
            assertThat(m.group(2)).as("attempt of a line of job %s: %s", jobId, r.body()).isEqualTo(end.attemptId());
            assertThat(Integer.parseInt(m.group(1))).as("line number in job %s: %s", jobId, r.body()).isEqualTo(expected);
            expected++;
        }
        assertThat(expected - 1).as("numbered lines of job %s: %s", jobId, r.body()).isEqualTo(LINES);
        return true;
    }

    private void restart(ComponentProcess c) throws IOException, InterruptedException {
        c.kill();
        c.start();
    }

    /** The leader group's two members: instance ids and the member ids of their current processes. */
    private record Leaders(String active, String activeMember, String standby, String standbyMember) {
    }

    /**
     * Waits until both dispatchers are in the leader group, one of them holding the leader
     * partition, and none of them is a member in {@code gone}: a killed process stays in the group
     * until its session times out, and its restarted process joins under a new member id.
     */
    private Leaders awaitLeaderGroup(Admin admin, Set<String> gone) {
        String group = "kindling-dispatcher-" + stack.prefix() + "-leader";
        return await("two dispatchers in the leader group, one active").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> {
                    Collection<MemberDescription> members = admin.describeConsumerGroups(List.of(group)).all().get()
                            .get(group).members();
                    MemberDescription active = null;
                    MemberDescription standby = null;
                    for (MemberDescription m : members) {
                        if (gone.contains(m.consumerId())) {
                            return null;
                        }
                        if (m.assignment().topicPartitions().isEmpty()) {
                            standby = m;
                        } else {
                            active = m;
                        }
                    }
                    return members.size() == 2 && active != null && standby != null
                            ? new Leaders(active.groupInstanceId().orElse("?"), active.consumerId(),
                                    standby.groupInstanceId().orElse("?"), standby.consumerId())
                            : null;
                }, java.util.Objects::nonNull);
    }

    private String submit(String key, Path app, String seconds, String exitCode, int lines, int maxAttempts) {
        return stack.submit(key, """
                {"name": "%s", "application": {"type": "python", "file": "%s", "args": ["%s", "%s", "%d"]},
                 "retry": {"maxAttempts": %d, "initialBackoffSeconds": 1, "maxBackoffSeconds": 2}}
                """.formatted(key, app, seconds, exitCode, lines, maxAttempts));
    }
}
