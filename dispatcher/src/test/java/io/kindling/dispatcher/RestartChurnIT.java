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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Jobs in flight while the dispatcher is restarted several times at random moments. */
@ExtendWith(KafkaTestExtension.class)
class RestartChurnIT {
    private static final int JOBS = 24;
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @Test
    void everyJobEndsWithItsEventsInOrderAndNoAttemptDispatchedTwice(KafkaFixture kafka) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        Random random = new Random(7);
        ScheduledExecutorService cluster = Executors.newSingleThreadScheduledExecutor();
        // odd jobs fail their first attempt (exit 3) and succeed on the second; even ones succeed at once
        BiConsumer<RunAssignment, FakeWorker> behaviour = (run, worker) -> {
            worker.report(run.jobId(), run.attempt(), JobState.SUBMITTING, null, null);
            cluster.schedule(() -> {
                worker.report(run.jobId(), run.attempt(), JobState.RUNNING, null, null);
                boolean fail = run.jobId().hashCode() % 2 != 0 && run.attempt() == 1;
                cluster.schedule(() -> worker.report(run.jobId(), run.attempt(), fail ? JobState.FAILED : JobState.SUCCEEDED,
                        fail ? FailureReason.APP_FAILED : null, fail ? 3 : 0), 50 + random.nextInt(400), TimeUnit.MILLISECONDS);
            }, random.nextInt(300), TimeUnit.MILLISECONDS);
        };
        try (FakeWorker worker = new FakeWorker(kafka.bootstrapServers(), topics, "default", behaviour);
             TopicWatcher<JobEvent> events = new TopicWatcher<>(kafka.bootstrapServers(), topics.events(), JobEvent.class)) {
            Map<String, String> env = DispatcherIT.env(kafka);
            DispatcherComponent dispatcher = DispatcherComponent.start(env);
            try {
                for (int i = 0; i < JOBS; i++) {
                    String id = "churn-" + i;
                    kafka.send(topics.commands(), id, ("""
                            {"type":"submit","jobId":"%s","spec":{"name":"c","application":{"type":"python","file":"/x.py"},
                             "retry":{"maxAttempts":2,"initialBackoffSeconds":1,"maxBackoffSeconds":1}}}
                            """).formatted(id).getBytes(UTF_8));
                    if (i % 8 == 7) {
                        dispatcher.close();
                        dispatcher = DispatcherComponent.start(env);
                    }
                }
                for (int round = 0; round < 2; round++) {
                    int seen = events.seen().size();
                    events.awaitUntil("progress", e -> e.size() > seen + 5, DEADLINE);
                    dispatcher.close();
                    dispatcher = DispatcherComponent.start(env);
                }
                List<JobEvent> all = events.awaitUntil("every job ends", e -> terminalJobs(e) == JOBS, DEADLINE);
                checkOrder(all, JOBS);
                Set<String> runKeys = new HashSet<>();
                for (RunAssignment run : worker.runs) {
                    assertThat(runKeys.add(run.attemptId())).as("run %s delivered once", run.attemptId()).isTrue();
                }
            } finally {
                dispatcher.close();
                cluster.shutdownNow();
            }
        }
    }

    static long terminalJobs(List<JobEvent> events) {
        return events.stream().filter(e -> e.state().terminal()).map(JobEvent::jobId).distinct().count();
    }

    static void checkOrder(List<JobEvent> all, int jobs) {
        Map<String, List<JobEvent>> byJob = all.stream().collect(Collectors.groupingBy(JobEvent::jobId));
        assertThat(byJob).hasSize(jobs);
        byJob.forEach((job, events) -> {
            assertThat(events.stream().map(JobEvent::eventId).distinct().count()).as("%s: no duplicate event", job)
                    .isEqualTo(events.size());
            assertThat(events.get(0).state()).isEqualTo(JobState.QUEUED);
            assertThat(events.get(events.size() - 1).state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(events.stream().filter(e -> e.state().terminal())).hasSize(1);
            List<Integer> dispatched = new ArrayList<>();
            boolean attemptLive = false;
            for (JobEvent e : events) {
                if (e.state() == JobState.DISPATCHED) {
                    assertThat(attemptLive).as("%s: attempt %d dispatched while another was live", job, e.attempt()).isFalse();
                    dispatched.add(e.attempt());
                    attemptLive = true;
                } else if (e.state() == JobState.RETRYING || e.state().terminal()) {
                    attemptLive = false;
                }
            }
            assertThat(dispatched).as("%s: attempts dispatched in order, once each", job)
                    .isEqualTo(java.util.stream.IntStream.rangeClosed(1, dispatched.size()).boxed().toList());
        });
    }
}
