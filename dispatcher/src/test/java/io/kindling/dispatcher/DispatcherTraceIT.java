package io.kindling.dispatcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.schemas.Topics;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The W3C trace context through the real dispatcher, with tracing off (no exporter configured):
 * the command's {@code traceparent} header reaches the run assignment and the events unchanged,
 * and a job queued before a restart (its state record holds the trace) is dispatched in its trace.
 */
@ExtendWith(KafkaTestExtension.class)
class DispatcherTraceIT {
    private static final String SPEC = "{\"name\":\"pi\",\"application\":{\"type\":\"python\",\"file\":\"/tmp/pi.py\"}}";
    private static final String SUBMITTED = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static final String QUEUED_BEFORE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    @Test
    void theRunAssignmentCarriesTheSubmissionsTraceAlsoAfterARestart(KafkaFixture kafka) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            try (DispatcherComponent dispatcher = DispatcherComponent.start(DispatcherIT.env(kafka))) {
                await().atMost(Duration.ofSeconds(60)).until(dispatcher::ready);
                ProducerRecord<String, byte[]> submit = new ProducerRecord<>(topics.commands(), "traced",
                        ("{\"type\":\"submit\",\"jobId\":\"traced\",\"spec\":" + SPEC + "}").getBytes(UTF_8));
                submit.headers().add("traceparent", SUBMITTED.getBytes(UTF_8));
                producer.send(submit).get();
                ConsumerRecord<String, byte[]> run = kafka.awaitRecords(topics.runs("default"), 1, Duration.ofSeconds(60))
                        .getFirst();
                assertThat(traceparent(run)).isEqualTo(SUBMITTED);
                List<ConsumerRecord<String, byte[]>> events = kafka.awaitRecords(topics.events(), 2, Duration.ofSeconds(60));
                assertThat(events).filteredOn(e -> "traced".equals(e.key())).hasSize(2)
                        .allSatisfy(e -> assertThat(traceparent(e)).isEqualTo(SUBMITTED));
            }
            // a job that was QUEUED when the dispatcher stopped: its record on the state topic, as the dispatcher writes it
            Instant queuedAt = Instant.now().minusSeconds(60);
            producer.send(new ProducerRecord<>(topics.dispatcherState(), "queued-before", ("{\"jobId\":\"queued-before\","
                    + "\"state\":\"QUEUED\",\"spec\":" + SPEC + ",\"pool\":\"default\",\"tenant\":\"default\",\"specSha256\":\""
                    + "1".repeat(64) + "\",\"submittedAt\":\"" + queuedAt + "\",\"queuedAt\":\"" + queuedAt
                    + "\",\"trace\":{\"traceparent\":\"" + QUEUED_BEFORE + "\"}}").getBytes(UTF_8))).get();
            try (DispatcherComponent restarted = DispatcherComponent.start(DispatcherIT.env(kafka))) {
                await().atMost(Duration.ofSeconds(60)).until(restarted::ready);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                        kafka.awaitRecords(topics.runs("default"), 1, Duration.ofSeconds(10)))
                        .filteredOn(r -> "queued-before".equals(r.key())).singleElement()
                        .satisfies(r -> assertThat(traceparent(r)).isEqualTo(QUEUED_BEFORE)));
            }
        }
    }

    private static String traceparent(ConsumerRecord<String, byte[]> record) {
        Header header = record.headers().lastHeader("traceparent");
        return header == null ? null : new String(header.value(), UTF_8);
    }
}
