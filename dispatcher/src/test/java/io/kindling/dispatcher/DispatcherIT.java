package io.kindling.dispatcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

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
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaTestExtension.class)
class DispatcherIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    static Map<String, String> env(KafkaFixture kafka) {
        return Map.of(
                "KINDLING_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "KINDLING_TOPIC_PREFIX", kafka.topicPrefix(),
                "KINDLING_TOPIC_PARTITIONS", "1",
                "KINDLING_POOLS", "default");
    }

    static final String VALID = """
            {"type":"submit","jobId":"%s",
             "spec":{"name":"pi","application":{"type":"python","file":"/tmp/pi.py"}}}
            """;

    @Test
    void dispatchesValidJobsAndDeadLettersBadRecordsWithoutStopping(KafkaFixture kafka) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        try (DispatcherComponent dispatcher = DispatcherComponent.start(env(kafka))) {
            kafka.send(topics.commands(), null, new byte[] {1, 2, 3});
            kafka.send(topics.commands(), "job-bad", "{\"type\":\"submit\",\"jobId\":\"job-bad\",\"spec\":{}}".getBytes(UTF_8));
            kafka.send(topics.commands(), "job-ok", VALID.formatted("job-ok").getBytes(UTF_8));

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
                    tuple("job-bad", JobState.REJECTED),
                    tuple("job-ok", JobState.QUEUED),
                    tuple("job-ok", JobState.DISPATCHED));
        }
    }

    @Test
    void aThousandRandomByteStringsAndAThousandSchemaInvalidRecordsAreDeadLetteredAndTheNextJobRuns(KafkaFixture kafka)
            throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        Random random = new Random(42);
        try (DispatcherComponent dispatcher = DispatcherComponent.start(env(kafka));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                     new StringSerializer(), new ByteArraySerializer());
             TopicWatcher<DeadLetter> letters = new TopicWatcher<>(kafka.bootstrapServers(), topics.deadLetter(), DeadLetter.class);
             TopicWatcher<RunAssignment> runs = new TopicWatcher<>(kafka.bootstrapServers(), topics.runs("default"),
                     RunAssignment.class)) {
            for (int i = 0; i < 1000; i++) {
                byte[] bytes = new byte[1 + random.nextInt(300)];
                random.nextBytes(bytes);
                producer.send(new ProducerRecord<>(topics.commands(), null, bytes));
            }
            for (int i = 0; i < 1000; i++) {
                String jobId = "bad-" + i;
                String body = switch (i % 4) {
                    case 0 -> "{\"type\":\"submit\",\"jobId\":\"" + jobId + "\",\"spec\":{}}";
                    case 1 -> "{\"type\":\"cancel\"}";
                    case 2 -> "{\"type\":\"submit\",\"jobId\":\"" + jobId + "\",\"spec\":{\"name\":1,"
                            + "\"application\":{\"type\":\"python\",\"file\":\"/x.py\"},\"unknown\":true}}";
                    default -> "[1, 2, 3]";
                };
                producer.send(new ProducerRecord<>(topics.commands(), jobId, body.getBytes(UTF_8)));
            }
            producer.send(new ProducerRecord<>(topics.commands(), "after-the-storm", VALID.formatted("after-the-storm")
                    .getBytes(UTF_8)));
            producer.flush();

            List<RunAssignment> dispatched = runs.awaitUntil("the valid job's run", r -> !r.isEmpty(), DEADLINE);
            assertThat(dispatched).extracting(RunAssignment::jobId).containsExactly("after-the-storm");
            List<DeadLetter> all = letters.awaitUntil("2000 dead letters", l -> l.size() >= 2000, DEADLINE);
            assertThat(all).hasSize(2000);
            assertThat(all.stream().map(DeadLetter::sourceOffset).collect(Collectors.toSet())).hasSize(2000);
            assertThat(all.stream().map(DeadLetter::reason).collect(Collectors.toSet()))
                    .isSubsetOf(Set.of("MALFORMED_JSON", "SCHEMA_VIOLATION", "UNKNOWN_FIELD", "TOO_LARGE", "INVALID"));
            assertThat(dispatcher.ready()).isTrue();
        }
    }
}
