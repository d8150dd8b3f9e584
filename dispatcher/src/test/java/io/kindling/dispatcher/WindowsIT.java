package io.kindling.dispatcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.AttemptReport;
import io.kindling.schemas.DeadLetter;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.Topics;
import io.kindling.schemas.WorkerControl;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The known windows, closed, against the real broker: the attempt's holder, and assignments nobody acknowledges. */
@ExtendWith(KafkaTestExtension.class)
class WindowsIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    private static byte[] submit(String jobId) {
        return """
                {"type":"submit","jobId":"%s","spec":{"name":"w","application":{"type":"python","file":"/x.py"},
                 "retry":{"maxAttempts":2,"initialBackoffSeconds":1,"maxBackoffSeconds":1}}}
                """.formatted(jobId).getBytes(UTF_8);
    }

    private static byte[] report(String jobId, String workerId, JobState state) {
        return Json.encode(new AttemptReport(AttemptReport.Type.STATE, jobId, 1, jobId + "-a1", "default", workerId, state,
                Instant.now(), null, null, null, null, null));
    }

    @Test
    void aSecondWorkerReportingTheSameAttemptIsRejectedAndToldAloneToStop(KafkaFixture kafka) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        try (DispatcherComponent dispatcher = DispatcherComponent.start(DispatcherIT.env(kafka));
             TopicWatcher<JobEvent> events = new TopicWatcher<>(kafka.bootstrapServers(), topics.events(), JobEvent.class);
             TopicWatcher<WorkerControl> controls = new TopicWatcher<>(kafka.bootstrapServers(), topics.control(),
                     WorkerControl.class);
             TopicWatcher<DeadLetter> letters = new TopicWatcher<>(kafka.bootstrapServers(), topics.deadLetter(),
                     DeadLetter.class)) {
            kafka.send(topics.commands(), "twice", submit("twice"));
            events.awaitUntil("dispatched", e -> e.stream().anyMatch(x -> x.state() == JobState.DISPATCHED), DEADLINE);
            kafka.send(topics.reports(), "twice", report("twice", "holder", JobState.SUBMITTING));
            kafka.send(topics.reports(), "twice", report("twice", "intruder", JobState.RUNNING));
            kafka.send(topics.reports(), "twice", report("twice", "holder", JobState.RUNNING));

            List<WorkerControl> cancel = controls.awaitUntil("the intruder's cancel", c -> !c.isEmpty(), DEADLINE);
            assertThat(cancel).singleElement().satisfies(c -> {
                assertThat(c.attemptId()).isEqualTo("twice-a1");
                assertThat(c.workerId()).isEqualTo("intruder");
            });
            assertThat(letters.awaitUntil("the intruder's report", l -> !l.isEmpty(), DEADLINE)).singleElement()
                    .satisfies(l -> assertThat(l.reason()).isEqualTo("FORBIDDEN"));
            List<JobEvent> all = events.awaitUntil("running", e -> e.stream().anyMatch(x -> x.state() == JobState.RUNNING),
                    DEADLINE);
            assertThat(all).filteredOn(e -> e.state() == JobState.SUBMITTING || e.state() == JobState.RUNNING)
                    .extracting(JobEvent::workerId).containsOnly("holder");
        }
    }

    @Test
    void anAssignmentNoWorkerAcknowledgesIsLostAfterTheAckTimeoutAndRetried(KafkaFixture kafka) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        Map<String, String> env = new HashMap<>(DispatcherIT.env(kafka));
        env.put("KINDLING_DISPATCH_ACK_SECONDS", "5");
        try (DispatcherComponent dispatcher = DispatcherComponent.start(env);
             TopicWatcher<JobEvent> events = new TopicWatcher<>(kafka.bootstrapServers(), topics.events(), JobEvent.class)) {
            kafka.send(topics.commands(), "unread", submit("unread"));
            List<JobEvent> all = events.awaitUntil("a second attempt", e -> e.stream()
                    .anyMatch(x -> x.state() == JobState.DISPATCHED && x.attempt() == 2), DEADLINE);
            JobEvent first = all.stream().filter(e -> e.state() == JobState.DISPATCHED).findFirst().orElseThrow();
            JobEvent lost = all.stream().filter(e -> e.state() == JobState.RETRYING).findFirst().orElseThrow();
            assertThat(lost.reason()).isEqualTo(FailureReason.LOST);
            assertThat(lost.message()).contains("no worker acknowledged");
            assertThat(Duration.between(first.time(), lost.time())).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(20));
        }
    }
}
