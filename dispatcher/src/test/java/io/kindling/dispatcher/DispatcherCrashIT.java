package io.kindling.dispatcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.Topics;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The dispatcher killed with SIGKILL at random moments while jobs are in flight. */
@ExtendWith(KafkaTestExtension.class)
class DispatcherCrashIT {
    private static final int JOBS = 30;
    private static final Duration DEADLINE = Duration.ofSeconds(180);

    @Test
    void killedSeveralTimesEveryJobStillEndsOnceWithoutDuplicateDispatch(KafkaFixture kafka) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        Random random = new Random(11);
        ScheduledExecutorService cluster = Executors.newSingleThreadScheduledExecutor();
        BiConsumer<RunAssignment, FakeWorker> behaviour = (run, worker) -> {
            worker.report(run.jobId(), run.attempt(), JobState.SUBMITTING, null, null);
            cluster.schedule(() -> {
                worker.report(run.jobId(), run.attempt(), JobState.RUNNING, null, null);
                boolean fail = run.jobId().hashCode() % 3 == 0 && run.attempt() == 1;
                cluster.schedule(() -> worker.report(run.jobId(), run.attempt(), fail ? JobState.FAILED : JobState.SUCCEEDED,
                        fail ? FailureReason.APP_FAILED : null, fail ? 3 : 0), random.nextInt(800), TimeUnit.MILLISECONDS);
            }, random.nextInt(500), TimeUnit.MILLISECONDS);
        };
        Map<String, String> env = DispatcherIT.env(kafka);
        Path log = Files.createDirectories(Path.of("target")).resolve("DispatcherCrashIT-dispatchers.log");
        try (FakeWorker worker = new FakeWorker(kafka.bootstrapServers(), topics, "default", behaviour);
             TopicWatcher<JobEvent> events = new TopicWatcher<>(kafka.bootstrapServers(), topics.events(), JobEvent.class)) {
            kafka.createTopics(topics.commands(), topics.events(), topics.reports(), topics.control(), topics.runs("default"),
                    topics.deadLetter());
            DispatcherProcess dispatcher = DispatcherProcess.start(env, log);
            try {
                for (int i = 0; i < JOBS; i++) {
                    String id = "crash-" + i;
                    kafka.send(topics.commands(), id, ("""
                            {"type":"submit","jobId":"%s","spec":{"name":"c","application":{"type":"python","file":"/x.py"},
                             "retry":{"maxAttempts":2,"initialBackoffSeconds":1,"maxBackoffSeconds":1}}}
                            """).formatted(id).getBytes(UTF_8));
                }
                for (int kill = 0; kill < 3; kill++) {
                    int seen = events.seen().size();
                    events.awaitUntil("progress before kill " + (kill + 1), e -> e.size() > seen + 3 + random.nextInt(10),
                            DEADLINE);
                    dispatcher.kill();
                    dispatcher = DispatcherProcess.start(env, log);
                }
                List<JobEvent> all = events.awaitUntil("every job ends",
                        e -> RestartChurnIT.terminalJobs(e) == JOBS, DEADLINE);
                RestartChurnIT.checkOrder(all, JOBS);
                Set<String> delivered = new HashSet<>();
                for (RunAssignment run : worker.runs) {
                    assertThat(delivered.add(run.attemptId())).as("run %s delivered once", run.attemptId()).isTrue();
                }
            } finally {
                dispatcher.close();
                cluster.shutdownNow();
            }
        }
    }
}
