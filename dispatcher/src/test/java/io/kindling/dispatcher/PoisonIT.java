package io.kindling.dispatcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.DeadLetter;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.schemas.MessageLimits;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.Topics;
import io.kindling.testsupport.kafka.BadRecords;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad records of every kind on every topic the dispatcher consumes: each is dead-lettered with its
 * reason, no dead letter is over its bound, and a valid job submitted afterwards still runs to the end.
 */
@ExtendWith(KafkaTestExtension.class)
class PoisonIT {
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    /** Just under the largest record the dispatcher reads (larger ones are dead-lettered TOO_LARGE unread). */
    private static final int NEAR_LIMIT = MessageLimits.COMMAND_BYTES - 2048;

    static final BiConsumer<RunAssignment, FakeWorker> SUCCEED = (run, worker) -> {
        worker.report(run.jobId(), run.attempt(), JobState.SUBMITTING, null, null);
        worker.report(run.jobId(), run.attempt(), JobState.RUNNING, null, null);
        worker.report(run.jobId(), run.attempt(), JobState.SUCCEEDED, null, 0);
    };

    /** A submit whose args carry {@code padding}, cut in arguments the schema allows (100,000 characters each). */
    private static String submit(String jobId, String pool, String padding) {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < padding.length(); i += 90_000) {
            args.add("\"" + padding.substring(i, Math.min(padding.length(), i + 90_000)) + "\"");
        }
        return """
                {"type":"submit","jobId":"%s","spec":{"name":"p","pool":"%s",
                 "application":{"type":"python","file":"/tmp/p.py","args":[%s]}}}
                """.formatted(jobId, pool, String.join(",", args));
    }

    private static String report(String jobId, int attempt, String attemptId, String state, String message) {
        return """
                {"type":"STATE","jobId":"%s","attempt":%d,"attemptId":"%s","pool":"default","workerId":"w",
                 "state":"%s","time":"2026-12-05T10:00:00Z","message":"%s"}
                """.formatted(jobId, attempt, attemptId, state, message);
    }

    @Test
    void an800KbSubmitNamingAnUnknownPoolIsDeadLetteredAndTheNextJobStillRuns(KafkaFixture kafka) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        try (DispatcherComponent dispatcher = DispatcherComponent.start(DispatcherIT.env(kafka));
             FakeWorker worker = new FakeWorker(kafka.bootstrapServers(), topics, "default", SUCCEED);
             TopicWatcher<JobEvent> events = new TopicWatcher<>(kafka.bootstrapServers(), topics.events(), JobEvent.class);
             TopicWatcher<ConsumerRecord<String, byte[]>> letters = new TopicWatcher<>(kafka.bootstrapServers(),
                     topics.deadLetter(), r -> r)) {
            long poison = kafka.send(topics.commands(), "big", submit("big", "nowhere", "x".repeat(800 * 1024))
                    .getBytes(UTF_8)).offset();
            kafka.send(topics.commands(), "after", submit("after", "default", "ok").getBytes(UTF_8));

            events.awaitUntil("the next job succeeds", e -> e.stream()
                    .anyMatch(x -> x.jobId().equals("after") && x.state() == JobState.SUCCEEDED), DEADLINE);
            ConsumerRecord<String, byte[]> record = letters.awaitUntil("a dead letter", l -> !l.isEmpty(), DEADLINE).get(0);
            DeadLetter letter = Json.decode(record.value(), DeadLetter.class);
            assertThat(letter.sourceOffset()).isEqualTo(poison);
            assertThat(letter.reason()).isEqualTo("INVALID");
            assertThat(letter.message()).contains("unknown pool 'nowhere'");
            assertThat(record.value().length).isLessThanOrEqualTo(DeadLetter.MAX_ENCODED_BYTES);
            assertThat(letter.originalSize()).isGreaterThan(800 * 1024);
            assertThat(letter.originalValueTruncated()).isTrue();
            assertThat(events.seen()).anyMatch(e -> e.jobId().equals("big") && e.state() == JobState.REJECTED);
        }
    }

    @Test
    void everyKindOfBadRecordOnEveryConsumedTopicIsDeadLetteredAndALaterJobSucceeds(KafkaFixture kafka) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        Random random = new Random(5);
        try (DispatcherComponent dispatcher = DispatcherComponent.start(DispatcherIT.env(kafka));
             FakeWorker worker = new FakeWorker(kafka.bootstrapServers(), topics, "default", SUCCEED);
             BadRecords s = new BadRecords(kafka.bootstrapServers());
             TopicWatcher<JobEvent> events = new TopicWatcher<>(kafka.bootstrapServers(), topics.events(), JobEvent.class);
             TopicWatcher<ConsumerRecord<String, byte[]>> letters = new TopicWatcher<>(kafka.bootstrapServers(),
                     topics.deadLetter(), r -> r)) {
            String c = topics.commands();
            String r = topics.reports();
            byte[] noise = BadRecords.noise(random, 300);
            byte[] bigNoise = BadRecords.noise(random, NEAR_LIMIT);
            // commands: bytes, sizes, keys, headers, schema, references, duplicates
            s.send(c, null, noise, Set.of("MALFORMED_JSON"), "random bytes");
            s.send(c, "k", bigNoise, Set.of("MALFORMED_JSON"), "near-limit random bytes");
            s.send(c, "tomb", null, Set.of("MALFORMED_JSON"), "null value");
            s.send(c, "huge", submit("huge", "default", "y".repeat(NEAR_LIMIT - 300)).getBytes(UTF_8), Set.of("TOO_LARGE"),
                    "near-limit valid submit");
            s.send(c, "big", submit("big", "nowhere", "x".repeat(800 * 1024)).getBytes(UTF_8), Set.of("INVALID"),
                    "800 KB unknown pool");
            s.send(c, "someone-else", submit("lie", "default", "k").getBytes(UTF_8), Set.of("INVALID"), "lying key");
            s.send(c, "z".repeat(20_000), submit("longkey", "default", "k").getBytes(UTF_8), Set.of("INVALID"), "20 KB key");
            s.send(c, new String(new byte[] {(byte) 0xff, (byte) 0xfe, 0}, UTF_8), submit("badkey", "default", "k")
                    .getBytes(UTF_8), Set.of("INVALID"), "invalid UTF-8 key");
            s.send(c, "schema", "{\"type\":\"submit\",\"jobId\":\"schema\",\"spec\":{}}".getBytes(UTF_8),
                    Set.of("SCHEMA_VIOLATION"), "schema violation");
            s.send(c, "unk", submit("unk", "default", "k").replace("\"name\":\"p\"", "\"name\":\"p\",\"bogus\":1")
                    .getBytes(UTF_8), Set.of("SCHEMA_VIOLATION", "UNKNOWN_FIELD"), "unknown field");
            s.send(c, "[]", "[1,2,3]".getBytes(UTF_8), Set.of("MALFORMED_JSON"), "an array");
            s.send(c, "ghost", "{\"type\":\"cancel\",\"jobId\":\"ghost\"}".getBytes(UTF_8), Set.of("NOT_FOUND"),
                    "cancel of an unknown job");
            s.send(c, "dup", submit("dup", "default", "one").getBytes(UTF_8), Set.of(), "first submit");
            s.send(c, "dup", submit("dup", "default", "one").getBytes(UTF_8), Set.of(), "identical replay");
            s.send(c, "dup", submit("dup", "default", "two").getBytes(UTF_8), Set.of("CONFLICT"), "conflicting replay");
            s.send(c, "headers", submit("headers", "default", "k").getBytes(UTF_8), Set.of(), "lying headers",
                    "type", "cancel", "jobId", "dup", "content-type", "application/x-nonsense");
            // reports: bytes, sizes, keys, schema, references
            s.send(r, null, noise, Set.of("MALFORMED_JSON"), "random report bytes");
            s.send(r, "k", bigNoise, Set.of("MALFORMED_JSON"), "near-limit random report");
            s.send(r, "tomb", null, Set.of("MALFORMED_JSON"), "null report");
            s.send(r, "x", "{}".getBytes(UTF_8), Set.of("SCHEMA_VIOLATION"), "empty report object");
            s.send(r, "nojob", report("nojob", 1, "nojob-a1", "RUNNING", "m").getBytes(UTF_8), Set.of("NOT_FOUND"),
                    "report about an unknown job");
            s.send(r, "nojob2", report("nojob2", 1, "nojob2-a1", "FAILED", "z".repeat(NEAR_LIMIT - 400)).getBytes(UTF_8),
                    Set.of("NOT_FOUND"), "near-limit report about an unknown job");
            s.send(r, "dup", report("dup", 1, "other-a1", "RUNNING", "m").getBytes(UTF_8), Set.of("INVALID"),
                    "attempt id of another job");
            s.send(r, "someone", report("dup", 1, "dup-a1", "RUNNING", "m").getBytes(UTF_8), Set.of("INVALID"),
                    "report with a lying key");
            s.send(r, "dup", report("dup", 9, "dup-a9", "RUNNING", "m").getBytes(UTF_8), Set.of("NOT_FOUND"),
                    "report about an attempt that does not exist");
            // then a valid job
            s.send(c, "after", submit("after", "default", "ok").getBytes(UTF_8), Set.of(), "the valid job");

            events.awaitUntil("the valid job succeeds", e -> e.stream()
                    .anyMatch(x -> x.jobId().equals("after") && x.state() == JobState.SUCCEEDED), DEADLINE);
            List<ConsumerRecord<String, byte[]>> all = letters.awaitUntil("a dead letter for every bad record",
                    l -> l.size() >= s.sent().size(), DEADLINE);
            assertThat(s.unmatched(all, true)).isEmpty();
            assertThat(all).allSatisfy(x -> assertThat(x.value().length).isLessThanOrEqualTo(DeadLetter.MAX_ENCODED_BYTES));
            assertThat(events.seen()).filteredOn(e -> e.jobId().equals("dup") && e.state() == JobState.QUEUED).hasSize(1);
            events.awaitUntil("the jobs with lying headers and a replay succeed", e -> e.stream()
                    .filter(x -> (x.jobId().equals("dup") || x.jobId().equals("headers")) && x.state() == JobState.SUCCEEDED)
                    .count() == 2, DEADLINE);
            assertThat(dispatcher.ready()).isTrue();
        }
    }

    @Test
    void aRecordWhoseTransactionKeepsFailingIsIsolatedDeadLetteredAndTheRestFlowsOn(KafkaFixture kafka) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        try (DispatcherComponent dispatcher = DispatcherComponent.start(DispatcherIT.env(kafka));
             FakeWorker worker = new FakeWorker(kafka.bootstrapServers(), topics, "default", SUCCEED);
             TopicWatcher<JobEvent> events = new TopicWatcher<>(kafka.bootstrapServers(), topics.events(), JobEvent.class);
             TopicWatcher<DeadLetter> letters = new TopicWatcher<>(kafka.bootstrapServers(), topics.deadLetter(),
                     DeadLetter.class)) {
            // the events topic now takes records up to 300 KB (set once the dispatcher has created it with its
            // own settings): a 400 KB job is valid, but its QUEUED event cannot be written
            limitRecords(kafka, topics.events(), 300 * 1024);
            kafka.send(topics.commands(), "before", submit("before", "default", "ok").getBytes(UTF_8));
            long poison = kafka.send(topics.commands(), "heavy", submit("heavy", "default", "h".repeat(400 * 1024))
                    .getBytes(UTF_8)).offset();
            kafka.send(topics.commands(), "after", submit("after", "default", "ok").getBytes(UTF_8));

            List<JobEvent> all = events.awaitUntil("both light jobs succeed", e -> e.stream()
                    .filter(x -> x.state() == JobState.SUCCEEDED).count() == 2, DEADLINE);
            DeadLetter letter = letters.awaitUntil("the heavy job's dead letter", l -> !l.isEmpty(), DEADLINE).get(0);
            assertThat(letter.sourceOffset()).isEqualTo(poison);
            assertThat(letter.reason()).isEqualTo("UNPROCESSABLE");
            assertThat(letter.message()).contains("RecordTooLarge");
            assertThat(all).filteredOn(e -> e.jobId().equals("heavy")).extracting(JobEvent::state)
                    .containsExactly(JobState.REJECTED);
            assertThat(all).filteredOn(e -> e.jobId().equals("before")).extracting(JobEvent::state)
                    .containsExactly(JobState.QUEUED, JobState.DISPATCHED, JobState.SUBMITTING, JobState.RUNNING,
                            JobState.SUCCEEDED);
        }
    }

    @Test
    void aJobWhoseRunAssignmentTheBrokerRefusesEndsFailedAndTheOthersRun(KafkaFixture kafka) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        try (DispatcherComponent dispatcher = DispatcherComponent.start(DispatcherIT.env(kafka));
             FakeWorker worker = new FakeWorker(kafka.bootstrapServers(), topics, "default", SUCCEED);
             TopicWatcher<JobEvent> events = new TopicWatcher<>(kafka.bootstrapServers(), topics.events(), JobEvent.class)) {
            // the runs topic now takes records up to 4 KB: the fat job's assignment is refused, every time
            limitRecords(kafka, topics.runs("default"), 4096);
            kafka.send(topics.commands(), "fat", submit("fat", "default", "f".repeat(8 * 1024)).getBytes(UTF_8));
            kafka.send(topics.commands(), "slim", submit("slim", "default", "ok").getBytes(UTF_8));

            List<JobEvent> all = events.awaitUntil("both end", e -> RestartChurnIT.terminalJobs(e) == 2, DEADLINE);
            assertThat(all).filteredOn(e -> e.jobId().equals("slim") && e.state().terminal())
                    .extracting(JobEvent::state).containsExactly(JobState.SUCCEEDED);
            assertThat(all).filteredOn(e -> e.jobId().equals("fat")).extracting(JobEvent::state)
                    .containsExactly(JobState.QUEUED, JobState.FAILED);
            JobEvent failed = all.stream().filter(e -> e.jobId().equals("fat") && e.state() == JobState.FAILED)
                    .findFirst().orElseThrow();
            assertThat(failed.reason()).isEqualTo(io.kindling.schemas.FailureReason.SUBMISSION_FAILED);
            assertThat(failed.message()).contains("could not publish").contains("RecordTooLarge");
            kafka.send(topics.commands(), "later", submit("later", "default", "ok").getBytes(UTF_8));
            events.awaitUntil("a later job succeeds", e -> e.stream()
                    .anyMatch(x -> x.jobId().equals("later") && x.state() == JobState.SUCCEEDED), DEADLINE);
        }
    }

    @Test
    void badRecordsOnTheStateTopicAreSkippedAtStartUpAndJobsStillRun(KafkaFixture kafka) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        Random random = new Random(7);
        try (FakeWorker worker = new FakeWorker(kafka.bootstrapServers(), topics, "default", SUCCEED);
             BadRecords s = new BadRecords(kafka.bootstrapServers());
             TopicWatcher<JobEvent> events = new TopicWatcher<>(kafka.bootstrapServers(), topics.events(), JobEvent.class)) {
            try (DispatcherComponent first = DispatcherComponent.start(DispatcherIT.env(kafka))) {
                kafka.send(topics.commands(), "before", submit("before", "default", "ok").getBytes(UTF_8));
                events.awaitUntil("a job succeeds", e -> e.stream()
                        .anyMatch(x -> x.jobId().equals("before") && x.state() == JobState.SUCCEEDED), DEADLINE);
            }
            // only the dispatcher writes its state topic (docs/security.md); whatever is there, it must start
            String state = topics.dispatcherState();
            s.send(state, "noise", BadRecords.noise(random, 300), Set.of(), "random bytes");
            s.send(state, "big", BadRecords.noise(random, NEAR_LIMIT), Set.of(), "near-limit random bytes");
            s.send(state, "ghost", null, Set.of(), "tombstone of an unknown job");
            s.sendText(state, "half", "{\"jobId\":\"half\",\"state\":\"QUEUED\"}", Set.of(), "QUEUED job without spec");
            s.sendText(state, "liar", "{\"jobId\":\"other\",\"state\":\"RUNNING\",\"attempt\":1}", Set.of(),
                    "lying key, RUNNING job without spec");
            s.sendText(state, "nostate", "{\"jobId\":\"nostate\"}", Set.of(), "job without state");
            // the finished jobs' filter's reserved keys: a header naming chunks that are not there, a chunk of noise
            s.sendText(state, "~kindling-finished-filter", "{\"version\":1,\"generation\":\"g\",\"chunks\":3,"
                    + "\"covers\":{\"0\":5}}", Set.of(), "filter checkpoint header without its chunks");
            s.send(state, "~kindling-finished-filter/0", BadRecords.noise(random, 300), Set.of(), "filter chunk of random bytes");

            try (DispatcherComponent second = DispatcherComponent.start(DispatcherIT.env(kafka))) {
                kafka.send(topics.commands(), "after", submit("after", "default", "ok").getBytes(UTF_8));
                events.awaitUntil("a job submitted after the restart succeeds", e -> e.stream()
                        .anyMatch(x -> x.jobId().equals("after") && x.state() == JobState.SUCCEEDED), DEADLINE);
                assertThat(second.ready()).isTrue();
            }
        }
    }

    /**
     * Lowers a topic's record limit once the dispatcher has created it (its topic creator raises a
     * smaller limit found at start-up to Kindling's own), and waits until the broker applies it.
     */
    private static void limitRecords(KafkaFixture kafka, String topic, int bytes) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                    new ConfigEntry("max.message.bytes", String.valueOf(bytes)), AlterConfigOp.OpType.SET)))).all().get();
            org.awaitility.Awaitility.await("max.message.bytes of " + topic).atMost(Duration.ofSeconds(30))
                    .until(() -> String.valueOf(bytes).equals(admin.describeConfigs(List.of(resource)).all().get()
                            .get(resource).get("max.message.bytes").value()));
        }
    }
}
