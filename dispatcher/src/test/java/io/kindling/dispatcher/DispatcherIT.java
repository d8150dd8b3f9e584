package io.kindling.dispatcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.DeadLetter;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.Topics;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaTestExtension.class)
class DispatcherIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @Test
    void dispatchesValidJobsAndDeadLettersBadRecordsWithoutStopping(KafkaFixture kafka) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        Map<String, String> env = Map.of(
                "KINDLING_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "KINDLING_TOPIC_PREFIX", topics.prefix(),
                "KINDLING_TOPIC_PARTITIONS", "1",
                "KINDLING_POOLS", "default");
        try (DispatcherComponent dispatcher = DispatcherComponent.start(env)) {
            kafka.send(topics.commands(), null, new byte[] {1, 2, 3});
            kafka.send(topics.commands(), "job-bad", "{\"type\":\"submit\",\"jobId\":\"job-bad\",\"spec\":{}}".getBytes(UTF_8));
            kafka.send(topics.commands(), "job-ok", """
                    {"type":"submit","jobId":"job-ok",
                     "spec":{"name":"pi","application":{"type":"python","file":"/tmp/pi.py"}}}
                    """.getBytes(UTF_8));

            List<ConsumerRecord<String, byte[]>> runs = kafka.awaitRecords(topics.runs("default"), 1, DEADLINE);
            RunAssignment run = Json.decode(runs.get(0).value(), RunAssignment.class);
            assertThat(run.jobId()).isEqualTo("job-ok");
            assertThat(run.attemptId()).isEqualTo("job-ok-a1");

            List<ConsumerRecord<String, byte[]>> letters = kafka.awaitRecords(topics.deadLetter(), 2, DEADLINE);
            assertThat(letters).extracting(r -> Json.decode(r.value(), DeadLetter.class).reason())
                    .containsExactly("MALFORMED_JSON", "SCHEMA_VIOLATION");

            List<JobEvent> events = kafka.awaitRecords(topics.events(), 3, DEADLINE).stream()
                    .map(r -> Json.decode(r.value(), JobEvent.class)).toList();
            assertThat(events).extracting(JobEvent::jobId, JobEvent::state).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("job-bad", JobState.REJECTED),
                    org.assertj.core.groups.Tuple.tuple("job-ok", JobState.QUEUED),
                    org.assertj.core.groups.Tuple.tuple("job-ok", JobState.DISPATCHED));
        }
    }
}
