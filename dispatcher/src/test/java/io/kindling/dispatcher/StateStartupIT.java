package io.kindling.dispatcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.schemas.DeadLetter;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Topics;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Start-up from the state topic, not the history: many finished jobs' records on their own topic
 * (in the exact format the dispatcher writes) and a thousand live ones; the dispatcher is ready once
 * it has read the live ones, runs them, and still knows the finished ones once they are loaded in
 * the background (a replay of one is a no-op or a conflict, never a new job).
 */
@ExtendWith(KafkaTestExtension.class)
class StateStartupIT {
    private static final int FINISHED = 100_000;
    private static final int LIVE = 1_000;

    @Test
    void startsFromTheStateTopicInTimeProportionalToItsRecords(KafkaFixture kafka) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        String spec = "{\"name\":\"s\",\"application\":{\"type\":\"python\",\"file\":\"/x.py\"}}";
        Instant ended = Instant.now().minusSeconds(3600);
        try (DispatcherComponent creator = DispatcherComponent.start(DispatcherIT.env(kafka))) {
            await().atMost(Duration.ofSeconds(60)).until(creator::ready); // creates the topics and writes the marker
            kafka.send(topics.commands(), "marker", ("{\"type\":\"submit\",\"jobId\":\"marker\",\"spec\":" + spec + "}")
                    .getBytes(UTF_8));
            kafka.awaitRecords(topics.runs("default"), 1, Duration.ofSeconds(60));
        }
        SyntheticState.finished(kafka.bootstrapServers(), topics, "old-", FINISHED, ended);
        SyntheticState.queued(kafka.bootstrapServers(), topics, "live-", LIVE, spec, ended);
        // waiting when the dispatcher starts: a different request under the last finished job's id, read
        // before that job's record is loaded: it waits for it, and is a CONFLICT, not a new job
        String last = "old-" + (FINISHED - 1);
        kafka.send(topics.commands(), last, ("{\"type\":\"submit\",\"jobId\":\"" + last + "\",\"spec\":" + spec + "}")
                .getBytes(UTF_8));
        long started = System.nanoTime();
        try (DispatcherComponent dispatcher = DispatcherComponent.start(DispatcherIT.env(kafka));
             TopicWatcher<JobEvent> events = new TopicWatcher<>(kafka.bootstrapServers(), topics.events(), JobEvent.class);
             TopicWatcher<DeadLetter> letters = new TopicWatcher<>(kafka.bootstrapServers(), topics.deadLetter(),
                     DeadLetter.class)) {
            await().atMost(Duration.ofSeconds(60)).until(dispatcher::ready);
            Duration ready = Duration.ofNanos(System.nanoTime() - started);
            System.out.println("StateStartupIT: ready " + ready.toMillis() + " ms after start, with " + FINISHED
                    + " finished and " + LIVE + " live jobs on the state topic");
            assertThat(ready).isLessThan(Duration.ofSeconds(30));
            List<JobEvent> dispatched = events.awaitUntil("every live job dispatched", e -> e.stream()
                    .filter(x -> x.jobId().startsWith("live-") && x.state() == JobState.DISPATCHED).count() == LIVE,
                    Duration.ofSeconds(60));
            assertThat(dispatched).noneMatch(e -> e.jobId().startsWith("old-"));
            assertThat(letters.awaitUntil("the conflict", l -> !l.isEmpty(), Duration.ofSeconds(60))).singleElement()
                    .satisfies(l -> {
                        assertThat(l.reason()).isEqualTo("CONFLICT");
                        assertThat(l.jobId()).isEqualTo(last);
                    });
            // a finished job is still known afterwards too
            kafka.send(topics.commands(), "old-7", ("{\"type\":\"submit\",\"jobId\":\"old-7\",\"spec\":" + spec + "}")
                    .getBytes(UTF_8));
            assertThat(letters.awaitUntil("the second conflict", l -> l.size() == 2, Duration.ofSeconds(60)).get(1).reason())
                    .isEqualTo("CONFLICT");
            assertThat(events.seen()).noneMatch(e -> e.jobId().startsWith("old-"));
        }
    }
}
