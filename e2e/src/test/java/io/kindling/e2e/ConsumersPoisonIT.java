package io.kindling.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.schemas.DeadLetter;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import io.kindling.schemas.Json;
import io.kindling.schemas.MessageReader;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.Topics;
import io.kindling.schemas.WorkerControl;
import io.kindling.testsupport.azurite.AzuriteFixture;
import io.kindling.testsupport.azurite.SharedAzurite;
import io.kindling.testsupport.kafka.BadRecords;
import io.kindling.testsupport.kafka.SharedKafka;
import io.kindling.testsupport.spark.StandInSpark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The poison tests of the topics consumed outside the dispatcher (PoisonIT covers the commands and
 * reports topics): bad records of every kind on a worker's runs topic, on the control topic and on
 * the events topic the api follows, then a valid job through the whole stack still SUCCEEDS and
 * every bad record has its dead letter with its reason. Spark is the stand-in (one cheap process
 * per launch).
 */
@ExtendWith(SharedAzurite.class)
class ConsumersPoisonIT {
    private static final Duration DEADLINE = Duration.ofMinutes(4);
    private static final String PREFIX = "e2e-consumers-poison.";
    /** A record this close to the 1 MiB limit still fits the broker's {@code max.message.bytes}. */
    private static final int NEAR_LIMIT = 1024 * 1024 - 4096;
    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");

    @TempDir
    Path home;
    @TempDir
    Path dir;

    @Test
    void badRunsControlsAndEventsAreDeadLetteredAndALaterJobSucceeds(AzuriteFixture azurite) throws Exception {
        StandInSpark spark = StandInSpark.create(dir, Path.of(ProjectTools.sparkEnv().get("KINDLING_PYSPARK_PYTHON")));
        Path app = Files.writeString(dir.resolve("app.py"), "# run by the stand-in spark-submit\n");
        Topics topics = new Topics(PREFIX);
        Random random = new Random(10);
        try (E2eStack e2e = E2eStack.start("consumers-poison", home, azurite, Map.of(
                "KINDLING_SPARK_HOME", spark.home().toString(), "KINDLING_WORKER_LOCAL_PATHS", dir.toString()));
             BadRecords s = new BadRecords(SharedKafka.bootstrapServers())) {
            JobSpec spec = spec(app, "default", "0", 1);
            JobSpec fat = spec(app, "default", "x".repeat(90_000), 11);
            String runs = topics.runs("default");
            String control = topics.control();
            String events = topics.events();

            // runs: bytes, sizes, schema, lying keys and headers, wrong pool and ids, an unknown job
            s.send(runs, null, BadRecords.noise(random, 300), Set.of("MALFORMED_JSON"), "random run bytes");
            s.send(runs, "k", BadRecords.noise(random, NEAR_LIMIT), Set.of("MALFORMED_JSON"), "near-limit random run bytes");
            s.send(runs, "tomb", null, Set.of("MALFORMED_JSON"), "null run");
            s.sendText(runs, "p-schema", "{\"jobId\":\"p-schema\",\"attempt\":1}", Set.of("SCHEMA_VIOLATION"),
                    "run breaking the schema");
            s.send(runs, "someone-else", Json.encode(RunAssignment.of("p-lie", 1, spec, NOW)), Set.of("INVALID"),
                    "run with a lying key", "jobId", "someone-else");
            s.send(runs, "p-gpu", Json.encode(RunAssignment.of("p-gpu", 1, spec(app, "gpu", "0", 1), NOW)),
                    Set.of("INVALID"), "run of another pool");
            s.send(runs, "p-ids", Json.encode(new RunAssignment("p-ids", 2, "p-ids-a1", "default", null, spec, NOW)),
                    Set.of("INVALID"), "run whose attempt id lies");
            s.send(runs, "other", Json.encode(RunAssignment.of("p-fat", 1, fat, NOW)), Set.of("INVALID", "SCHEMA_VIOLATION"),
                    "near-limit run with a lying key");
            s.send(runs, "p-ghost", Json.encode(RunAssignment.of("p-ghost", 1, spec, NOW)), Set.of(),
                    "well-formed run of a job nobody submitted", "traceparent", "00-zz-zz-01", "type", "cancel");
            // control: bytes, sizes, schema, lying keys and ids, an unknown attempt (remembered, not bad)
            s.send(control, null, BadRecords.noise(random, 300), Set.of("MALFORMED_JSON"), "random control bytes");
            s.send(control, "k", BadRecords.noise(random, NEAR_LIMIT), Set.of("MALFORMED_JSON"), "near-limit random control");
            s.send(control, "tomb", null, Set.of("MALFORMED_JSON"), "null control");
            s.sendText(control, "p-c", "{\"type\":\"EXPLODE\",\"jobId\":\"p-c\",\"attempt\":1,\"attemptId\":\"p-c-a1\","
                    + "\"time\":\"2026-12-05T10:00:00Z\"}", Set.of("SCHEMA_VIOLATION"), "control of an unknown type");
            s.send(control, "someone", Json.encode(cancel("p-c", 1, "p-c-a1")), Set.of("INVALID"), "control with a lying key");
            s.send(control, "p-c", Json.encode(cancel("p-c", 3, "p-c-a1")), Set.of("INVALID"), "control whose ids disagree");
            s.send(control, "p-c", Json.encode(cancel("p-c", 1, "p-c-a1")), Set.of(), "cancel of an unknown attempt",
                    "workerId", "nobody");
            // events: bytes, sizes, schema, lying keys, unknown jobs
            s.send(events, null, BadRecords.noise(random, 300), Set.of("MALFORMED_JSON"), "random event bytes");
            s.send(events, "k", BadRecords.noise(random, NEAR_LIMIT), Set.of("MALFORMED_JSON"), "near-limit random event");
            s.send(events, "tomb", null, Set.of("MALFORMED_JSON"), "null event");
            s.sendText(events, "p-e", "{}", Set.of("SCHEMA_VIOLATION"), "empty event");
            s.sendText(events, "p-e", "{\"jobId\":\"p-e\",\"eventId\":\"x\",\"state\":\"EXPLODED\"}",
                    Set.of("SCHEMA_VIOLATION"), "event of an unknown state");
            s.send(events, "someone", Json.encode(JobEvents.job("p-liar", JobState.QUEUED, NOW).spec(spec).build()),
                    Set.of("INVALID"), "event with a lying key");
            s.send(events, "p-ghost-event", Json.encode(JobEvents.job("p-ghost-event", JobState.RUNNING, NOW).build()),
                    Set.of("NOT_FOUND"), "event of an unknown job");
            s.send(events, "p-fat-event", Json.encode(JobEvents.job("p-fat-event", JobState.FAILED, NOW).spec(fat).build()),
                    Set.of("NOT_FOUND"), "near-limit event of an unknown job");

            KindlingClient client = e2e.client();
            String id = client.submit("""
                    {"name": "after", "application": {"type": "python", "file": "%s", "args": ["1", "0"]}}
                    """.formatted(app));
            JobView view = client.awaitTerminal(id, DEADLINE);
            assertThat(view.state()).as("job %s: %s", id, view).isEqualTo(JobState.SUCCEEDED);

            // a replay of the job's events is skipped as duplicates, not dead-lettered
            List<ConsumerRecord<String, byte[]>> own = s.readAll(events).stream().filter(r -> id.equals(r.key())).toList();
            for (ConsumerRecord<String, byte[]> r : own) {
                s.send(events, r.key(), r.value(), Set.of(), "replayed event");
            }
            s.send(runs, "p-ghost", Json.encode(RunAssignment.of("p-ghost", 1, spec, NOW)), Set.of(),
                    "replayed run of an attempt that ended here");

            await().atMost(DEADLINE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                List<ConsumerRecord<String, byte[]>> letters = s.readAll(topics.deadLetter());
                assertThat(s.unmatched(letters, false)).as("bad records without their dead letter").isEmpty();
                assertThat(decode(letters)).as("the unknown job's reports").anyMatch(d -> "p-ghost".equals(d.jobId())
                        && topics.reports().equals(d.sourceTopic()));
            });
            List<DeadLetter> all = decode(s.readAll(topics.deadLetter()));
            assertThat(all).allSatisfy(l -> assertThat(Json.encode(l).length).isLessThanOrEqualTo(DeadLetter.MAX_ENCODED_BYTES));
            assertThat(all).filteredOn(l -> "p-ghost".equals(l.jobId()))
                    .as("the unknown job's run: the worker cannot tell, the dispatcher refuses its reports")
                    .allSatisfy(l -> {
                        assertThat(l.sourceTopic()).isEqualTo(topics.reports());
                        assertThat(l.reason()).isEqualTo("NOT_FOUND");
                    });
            assertThat(all).noneMatch(l -> id.equals(l.jobId()));
            assertThat(all).filteredOn(l -> l.sourceTopic().equals(runs)).allSatisfy(l ->
                    assertThat(l.message()).startsWith("worker "));
            assertThat(all).filteredOn(l -> l.sourceTopic().equals(events)).allSatisfy(l ->
                    assertThat(l.message()).startsWith("api "));
            assertThat(client.job(id).state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(spark.runs()).filteredOn(r -> r.jobId().equals("p-ghost")).singleElement()
                    .satisfies(r -> assertThat(r.starts()).as("the replayed run is not launched again").isEqualTo(1));

            // and the stack still runs jobs
            KindlingClient.Response next = client.post("/v1/jobs", """
                    {"name": "next", "application": {"type": "python", "file": "%s", "args": ["0", "0"]}}
                    """.formatted(app));
            String nextId = next.json().get("id").asText();
            assertThat(client.awaitTerminal(nextId, DEADLINE).state()).isEqualTo(JobState.SUCCEEDED);
        }
    }

    /** A spec for the stand-in in {@code pool}: "0 0" (sleep 0 s, exit 0), then {@code copies} - 1 arguments {@code arg}. */
    private static JobSpec spec(Path app, String pool, String arg, int copies) {
        List<String> args = new ArrayList<>(List.of("\"0\"", "\"0\""));
        for (int i = 1; i < copies; i++) {
            args.add("\"" + arg + "\"");
        }
        return new MessageReader().readJobSpec(("{\"name\":\"p\",\"pool\":\"" + pool + "\",\"application\":{\"type\":\"python\","
                + "\"file\":\"" + app + "\",\"args\":[" + String.join(",", args) + "]}}").getBytes(StandardCharsets.UTF_8));
    }

    private static WorkerControl cancel(String jobId, int attempt, String attemptId) {
        return new WorkerControl(WorkerControl.Type.CANCEL, jobId, attempt, attemptId, "default", null, "poison", NOW);
    }

    private static List<DeadLetter> decode(List<ConsumerRecord<String, byte[]>> letters) {
        return letters.stream().map(r -> Json.decode(r.value(), DeadLetter.class)).toList();
    }
}
