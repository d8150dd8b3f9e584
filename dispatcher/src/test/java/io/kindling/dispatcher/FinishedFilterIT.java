package io.kindling.dispatcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kindling.schemas.DeadLetter;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.Topics;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The finished jobs' filter checkpointed on the state topic: after a kill -9, a restart extends the
 * last checkpoint with the jobs finished since, queues a job never seen before the finished jobs
 * are loaded, and still never runs a finished job again (a replayed submit of one checkpointed,
 * and of one finished after the checkpoint, waits for the load and is a CONFLICT).
 */
@ExtendWith(KafkaTestExtension.class)
class FinishedFilterIT {
    private static final int FINISHED = 300_000;
    private static final int LATE = 100;
    private static final Duration DEADLINE = Duration.ofSeconds(180);
    private static final String SPEC = "{\"name\":\"f\",\"application\":{\"type\":\"python\",\"file\":\"/x.py\"}}";
    private static final String FILTER_KEY = "~kindling-finished-filter";

    private static byte[] submit(String jobId) {
        return ("{\"type\":\"submit\",\"jobId\":\"" + jobId + "\",\"spec\":" + SPEC + "}").getBytes(UTF_8);
    }

    /** The offsets of the finished jobs' topic that the latest filter checkpoint read so far covers, summed. */
    private static long covered(List<ConsumerRecord<String, byte[]>> state) {
        long covered = -1;
        for (ConsumerRecord<String, byte[]> record : state) {
            if (FILTER_KEY.equals(record.key()) && record.value() != null) {
                JsonNode covers = Json.decode(record.value(), JsonNode.class).path("covers");
                long sum = 0;
                for (JsonNode offset : covers) {
                    sum += offset.asLong();
                }
                covered = sum;
            }
        }
        return covered;
    }

    private static Predicate<JobEvent> of(String jobId, JobState state) {
        return e -> e.jobId().equals(jobId) && e.state() == state;
    }

    @Test
    void aNewJobIsQueuedBeforeTheFinishedJobsAreLoadedAndAReplayNeverRunsAgain(KafkaFixture kafka, @TempDir Path dir)
            throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        try (DispatcherComponent creator = DispatcherComponent.start(DispatcherIT.env(kafka))) {
            await().atMost(DEADLINE).until(creator::ready); // creates the topics and writes the marker
        }
        SyntheticState.finished(kafka.bootstrapServers(), topics, "old-", FINISHED, Instant.now().minusSeconds(3600));

        // a dispatcher loads them and checkpoints its filter; then jobs finish after the checkpoint, and it is killed
        try (DispatcherProcess first = DispatcherProcess.start(DispatcherIT.env(kafka), dir.resolve("first.log"));
             TopicWatcher<ConsumerRecord<String, byte[]>> state = new TopicWatcher<>(kafka.bootstrapServers(),
                     topics.dispatcherState(), r -> r)) {
            state.awaitUntil("a filter checkpoint covering the finished jobs", s -> covered(s) >= FINISHED, DEADLINE);
            SyntheticState.finished(kafka.bootstrapServers(), topics, "late-", LATE, Instant.now());
            first.kill(); // its next checkpoint was minutes away: none covers the late jobs
        }

        // while it is down: a job never seen (first, so no held record is before it), and two replays
        kafka.send(topics.commands(), "fresh-1", submit("fresh-1"));
        kafka.send(topics.commands(), "old-7", submit("old-7"));
        kafka.send(topics.commands(), "late-42", submit("late-42"));

        try (DispatcherComponent dispatcher = DispatcherComponent.start(DispatcherIT.env(kafka));
             TopicWatcher<JobEvent> events = new TopicWatcher<>(kafka.bootstrapServers(), topics.events(), JobEvent.class);
             TopicWatcher<DeadLetter> letters = new TopicWatcher<>(kafka.bootstrapServers(), topics.deadLetter(),
                     DeadLetter.class)) {
            JobEvent queued = events.awaitUntil("the new job QUEUED", e -> e.stream().anyMatch(of("fresh-1", JobState.QUEUED)),
                    DEADLINE).stream().filter(of("fresh-1", JobState.QUEUED)).findFirst().orElseThrow();
            await().atMost(DEADLINE).until(() -> dispatcher.finishedLoadedAt() != null);
            System.out.println("FinishedFilterIT: new job QUEUED at " + queued.time() + ", finished jobs loaded at "
                    + dispatcher.finishedLoadedAt());
            assertThat(queued.time()).as("queued before the finished jobs were loaded")
                    .isBefore(dispatcher.finishedLoadedAt());

            List<DeadLetter> conflicts = letters.awaitUntil("both replays refused", l -> l.size() >= 2, DEADLINE);
            assertThat(conflicts).extracting(DeadLetter::jobId).containsExactlyInAnyOrder("old-7", "late-42");
            assertThat(conflicts).extracting(DeadLetter::reason).containsOnly("CONFLICT");
            events.awaitUntil("the new job dispatched", e -> e.stream().anyMatch(of("fresh-1", JobState.DISPATCHED)),
                    DEADLINE);
            assertThat(events.seen()).noneMatch(e -> e.jobId().startsWith("old-") || e.jobId().startsWith("late-"));
        }
    }
}
