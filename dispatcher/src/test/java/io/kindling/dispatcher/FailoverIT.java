package io.kindling.dispatcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.Topics;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two dispatcher instances: one active, one standing by; the standby takes over when the active one dies. */
@ExtendWith(KafkaTestExtension.class)
class FailoverIT {
    private static final Duration TAKEOVER = Duration.ofSeconds(15);
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    private static Map<String, String> env(KafkaFixture kafka, String instance) {
        Map<String, String> env = new HashMap<>(DispatcherIT.env(kafka));
        env.put("KINDLING_DISPATCHER_ID", instance);
        return env;
    }

    private static byte[] submit(String jobId) {
        return """
                {"type":"submit","jobId":"%s","spec":{"name":"f","application":{"type":"python","file":"/x.py"}}}
                """.formatted(jobId).getBytes(UTF_8);
    }

    private static int leaderGroupMembers(KafkaFixture kafka, Topics topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            String group = "kindling-dispatcher-" + topics.prefix() + "-leader";
            return admin.describeConsumerGroups(List.of(group)).all().get().get(group).members().size();
        }
    }

    private static boolean reached(List<JobEvent> events, String jobId, JobState state) {
        return events.stream().anyMatch(e -> e.jobId().equals(jobId) && e.state() == state);
    }

    @Test
    void exactlyOneInstanceIsActiveAndClosingItHandsOverAtOnce(KafkaFixture kafka) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        try (FakeWorker worker = new FakeWorker(kafka.bootstrapServers(), topics, "default", PoisonIT.SUCCEED);
             TopicWatcher<JobEvent> events = new TopicWatcher<>(kafka.bootstrapServers(), topics.events(), JobEvent.class)) {
            DispatcherComponent a = DispatcherComponent.start(env(kafka, "a"));
            DispatcherComponent b = DispatcherComponent.start(env(kafka, "b"));
            try {
                await("one active instance").atMost(DEADLINE).until(() -> a.ready() || b.ready());
                await("both in the leader group").atMost(DEADLINE).until(() -> leaderGroupMembers(kafka, topics) == 2);
                assertThat(a.active() && b.active()).as("both active").isFalse();
                DispatcherComponent active = a.active() ? a : b;
                DispatcherComponent standby = active == a ? b : a;
                kafka.send(topics.commands(), "one", submit("one"));
                events.awaitUntil("one succeeds", e -> reached(e, "one", JobState.SUCCEEDED), DEADLINE);
                assertThat(standby.active()).isFalse();

                active.close();
                kafka.send(topics.commands(), "two", submit("two"));
                events.awaitUntil("two succeeds after the handover", e -> reached(e, "two", JobState.SUCCEEDED), TAKEOVER);
                assertThat(standby.active()).isTrue();
            } finally {
                a.close();
                b.close();
            }
        }
    }

    @Test
    void whenTheActiveInstanceIsKilledTheStandbyDispatchesWithin15sAndNothingIsLostOrDuplicated(KafkaFixture kafka)
            throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        ScheduledExecutorService cluster = Executors.newSingleThreadScheduledExecutor();
        BiConsumer<RunAssignment, FakeWorker> behaviour = (run, worker) -> {
            worker.report(run.jobId(), run.attempt(), JobState.SUBMITTING, null, null);
            cluster.schedule(() -> {
                worker.report(run.jobId(), run.attempt(), JobState.RUNNING, null, null);
                worker.report(run.jobId(), run.attempt(), JobState.SUCCEEDED, null, 0);
            }, 300, TimeUnit.MILLISECONDS);
        };
        Path log = Files.createDirectories(Path.of("target")).resolve("FailoverIT-dispatchers.log");
        kafka.createTopics(topics.commands(), topics.events(), topics.reports(), topics.control(), topics.runs("default"),
                topics.deadLetter());
        try (FakeWorker worker = new FakeWorker(kafka.bootstrapServers(), topics, "default", behaviour);
             TopicWatcher<JobEvent> events = new TopicWatcher<>(kafka.bootstrapServers(), topics.events(), JobEvent.class)) {
            DispatcherProcess first = DispatcherProcess.start(env(kafka, "first"), log);
            DispatcherProcess second = null;
            try {
                kafka.send(topics.commands(), "warmup", submit("warmup"));
                events.awaitUntil("the first instance dispatches", e -> reached(e, "warmup", JobState.SUCCEEDED), DEADLINE);
                second = DispatcherProcess.start(env(kafka, "second"), log);
                await("the standby joins the leader group").atMost(DEADLINE)
                        .until(() -> leaderGroupMembers(kafka, topics) == 2);
                for (int i = 0; i < 10; i++) {
                    kafka.send(topics.commands(), "before-" + i, submit("before-" + i));
                }
                events.awaitUntil("some jobs in flight", e -> e.stream().filter(x -> x.jobId().startsWith("before-")
                        && x.state() == JobState.DISPATCHED).count() >= 3, DEADLINE);

                first.kill();
                Instant killed = Instant.now();
                kafka.send(topics.commands(), "after-kill", submit("after-kill"));
                events.awaitUntil("the job submitted after the kill is dispatched",
                        e -> reached(e, "after-kill", JobState.DISPATCHED), TAKEOVER.plusSeconds(5));
                Duration takeover = Duration.between(killed, Instant.now());
                System.out.println("FailoverIT: the standby dispatched a new job " + takeover.toMillis() + " ms after the kill");
                assertThat(takeover).isLessThanOrEqualTo(TAKEOVER);

                for (int i = 0; i < 10; i++) {
                    kafka.send(topics.commands(), "after-" + i, submit("after-" + i));
                }
                List<JobEvent> all = events.awaitUntil("every job ends",
                        e -> RestartChurnIT.terminalJobs(e) == 22, DEADLINE);
                RestartChurnIT.checkOrder(all, 22);
                Set<String> delivered = new HashSet<>();
                for (RunAssignment run : worker.runs) {
                    assertThat(delivered.add(run.attemptId())).as("run %s delivered once", run.attemptId()).isTrue();
                }
            } finally {
                first.close();
                if (second != null) {
                    second.close();
                }
                cluster.shutdownNow();
            }
        }
    }
}
