package io.kindling.dispatcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.DeadLetter;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.MessageReader;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.Topics;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class CommandDeciderTest {
    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    private final Topics topics = new Topics("t.");
    private final CommandDecider decider = new CommandDecider(new MessageReader(), topics, Set.of("default", "gpu"),
            Clock.fixed(NOW, ZoneOffset.UTC));

    private static ConsumerRecord<String, byte[]> record(String key, String value) {
        return new ConsumerRecord<>("t.jobs.commands", 0, 42L, key, value.getBytes(UTF_8));
    }

    private static final String SUBMIT = """
            {"type": "submit", "jobId": "job-1", "submittedAt": "2026-11-21T09:59:00Z",
             "spec": {"name": "pi", "pool": "gpu", "application": {"type": "python", "file": "/x/pi.py"}}}
            """;

    @Test
    void validSubmitIsQueuedAssignedAndDispatched() {
        List<ProducerRecord<String, byte[]>> out = decider.decide(record("job-1", SUBMIT));
        assertThat(out).extracting(ProducerRecord::topic)
                .containsExactly("t.jobs.events", "t.runs.gpu", "t.jobs.events");
        assertThat(out).extracting(ProducerRecord::key).containsOnly("job-1");
        JobEvent queued = Json.decode(out.get(0).value(), JobEvent.class);
        assertThat(queued.state()).isEqualTo(JobState.QUEUED);
        assertThat(queued.spec().name()).isEqualTo("pi");
        assertThat(queued.submittedAt()).isEqualTo(Instant.parse("2026-11-21T09:59:00Z"));
        RunAssignment run = Json.decode(out.get(1).value(), RunAssignment.class);
        assertThat(run.attemptId()).isEqualTo("job-1-a1");
        assertThat(run.pool()).isEqualTo("gpu");
        JobEvent dispatched = Json.decode(out.get(2).value(), JobEvent.class);
        assertThat(dispatched.state()).isEqualTo(JobState.DISPATCHED);
        assertThat(dispatched.attempt()).isEqualTo(1);
    }

    @Test
    void unknownPoolIsRejectedAndDeadLettered() {
        String body = SUBMIT.replace("\"gpu\"", "\"nope\"");
        List<ProducerRecord<String, byte[]>> out = decider.decide(record("job-1", body));
        assertThat(out).extracting(ProducerRecord::topic).containsExactly("t.jobs.deadletter", "t.jobs.events");
        JobEvent rejected = Json.decode(out.get(1).value(), JobEvent.class);
        assertThat(rejected.state()).isEqualTo(JobState.REJECTED);
        assertThat(rejected.reason()).isEqualTo(FailureReason.REJECTED);
        assertThat(rejected.message()).contains("unknown pool 'nope'");
    }

    @Test
    void garbageKeepsItsBytesInTheDeadLetter() {
        byte[] garbage = {(byte) 0xff, 0x00, 0x13, 0x37};
        List<ProducerRecord<String, byte[]>> out = decider.decide(
                new ConsumerRecord<>("t.jobs.commands", 1, 7L, null, garbage));
        assertThat(out).hasSize(1);
        DeadLetter letter = Json.decode(out.get(0).value(), DeadLetter.class);
        assertThat(letter.reason()).isEqualTo("MALFORMED_JSON");
        assertThat(Base64.getDecoder().decode(letter.originalValueBase64())).isEqualTo(garbage);
        assertThat(letter.sourcePartition()).isEqualTo(1);
        assertThat(letter.sourceOffset()).isEqualTo(7L);
    }

    @Test
    void schemaInvalidWithReadableIdGetsRejectedEventNamingTheField() {
        List<ProducerRecord<String, byte[]>> out = decider.decide(record("job-2",
                "{\"type\": \"submit\", \"jobId\": \"job-2\", \"spec\": {\"application\": {\"type\": \"python\"}}}"));
        assertThat(out).extracting(ProducerRecord::topic).containsExactly("t.jobs.deadletter", "t.jobs.events");
        DeadLetter letter = Json.decode(out.get(0).value(), DeadLetter.class);
        assertThat(letter.reason()).isEqualTo("SCHEMA_VIOLATION");
        assertThat(letter.message()).contains("$.spec.application.file");
        assertThat(Json.decode(out.get(1).value(), JobEvent.class).jobId()).isEqualTo("job-2");
    }

    @Test
    void keyMustBeTheJobId() {
        List<ProducerRecord<String, byte[]>> out = decider.decide(record("other", SUBMIT));
        assertThat(out).extracting(ProducerRecord::topic).containsExactly("t.jobs.deadletter", "t.jobs.events");
    }

    @Test
    void tooLargeIsDeadLettered() {
        String huge = "{\"type\": \"submit\", \"pad\": \"" + "x".repeat(MessageReader.DEFAULT_MAX_BYTES) + "\"}";
        List<ProducerRecord<String, byte[]>> out = decider.decide(record(null, huge));
        assertThat(out).hasSize(1);
        assertThat(Json.decode(out.get(0).value(), DeadLetter.class).reason()).isEqualTo("TOO_LARGE");
    }
}
