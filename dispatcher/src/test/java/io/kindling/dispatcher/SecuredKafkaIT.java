package io.kindling.dispatcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kindling.broker.BrokerConfig;
import io.kindling.broker.BrokerSecurity;
import io.kindling.broker.EmbeddedKafkaBroker;
import io.kindling.common.kafka.KafkaAcls;
import io.kindling.common.kafka.KafkaClients;
import io.kindling.common.kafka.KafkaConfig;
import io.kindling.common.kafka.KafkaSecurity;
import io.kindling.common.kafka.TopicCreator;
import io.kindling.schemas.DeadLetter;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.Topics;
import io.kindling.testsupport.kafka.ScramUsers;
import io.kindling.testsupport.kafka.TopicRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.errors.AuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka with SASL/SCRAM and the KRaft ACL authorizer, every principal holding exactly the ACLs
 * of {@link KafkaAcls} (docs/security.md), and the real dispatcher running as its own principal:
 * a client without the ACL can neither forge events or assignments nor submit for another tenant;
 * a tenant's producer submits on its topic and the job gets that tenant.
 */
class SecuredKafkaIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Topics TOPICS = new Topics("sec.");
    private static final List<String> USERS = List.of("api", "dispatcher", "worker", "acme-producer", "globex-producer",
            "intruder");

    @TempDir
    static Path dir;
    private static EmbeddedKafkaBroker broker;
    private static KafkaConfig kafka;
    private static DispatcherComponent dispatcher;
    private static String adminPassword;

    @BeforeAll
    static void secureClusterWithTheDocumentedAcls() throws Exception {
        adminPassword = "admin-pw-" + System.nanoTime();
        BrokerSecurity security = new BrokerSecurity("admin", adminPassword);
        broker = EmbeddedKafkaBroker.start(BrokerConfig.onFreePorts(dir.resolve("kafka")), security);
        kafka = new KafkaConfig(broker.bootstrapServers(), TOPICS, 1, (short) 1);
        try (Admin admin = clients("admin", security.adminPassword(), "SCRAM-SHA-512").admin("it-admin")) {
            Map<String, String> passwords = new LinkedHashMap<>();
            USERS.forEach(user -> passwords.put(user, password(user)));
            ScramUsers.create(admin, ScramMechanism.SCRAM_SHA_256, passwords);
            List<AclBinding> acls = new ArrayList<>();
            acls.addAll(KafkaAcls.api(TOPICS, "User:api"));
            acls.addAll(KafkaAcls.dispatcher(TOPICS, "User:dispatcher"));
            acls.addAll(KafkaAcls.worker(TOPICS, "User:worker", "default"));
            acls.addAll(KafkaAcls.tenantProducer(TOPICS, "User:acme-producer", "acme"));
            acls.addAll(KafkaAcls.tenantProducer(TOPICS, "User:globex-producer", "globex"));
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
            // tenant topics are created by the operator with the tenant's ACL (docs/security.md)
            admin.createTopics(List.of(new NewTopic(TOPICS.tenantCommands("acme"), 1, (short) 1),
                    new NewTopic(TOPICS.tenantCommands("globex"), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Path passwordFile = Files.writeString(dir.resolve("dispatcher.password"), password("dispatcher") + "\n");
        Map<String, String> env = new HashMap<>(Map.of(
                "KINDLING_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "KINDLING_TOPIC_PREFIX", TOPICS.prefix(),
                "KINDLING_TOPIC_PARTITIONS", "1",
                "KINDLING_POOLS", "default"));
        env.putAll(ScramUsers.loginEnv(ScramMechanism.SCRAM_SHA_256, "dispatcher", passwordFile));
        dispatcher = DispatcherComponent.start(env);
        await().atMost(DEADLINE).until(dispatcher::ready);
    }

    @AfterAll
    static void stop() {
        if (dispatcher != null) {
            dispatcher.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void onlyTheDispatcherWritesEventsAndRuns() {
        for (String user : List.of("intruder", "api", "worker", "acme-producer")) {
            assertDenied(user, TOPICS.events());
            assertDenied(user, TOPICS.runs("default"));
            assertDenied(user, TOPICS.control());
        }
        assertDenied("intruder", TOPICS.reports());
        assertDenied("api", TOPICS.reports());
        // the worker's own ACL works: its denials above are the ACLs', not a broken login
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(send("worker", TOPICS.reports(), "nobody", "{}")).isNull());
    }

    @Test
    void theWorkerAndTheApiWriteTheDeadLettersOfWhatTheyRefuseAndOthersCannot() {
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(send("worker", TOPICS.deadLetter(), "w", "{}")).isNull());
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(send("api", TOPICS.deadLetter(), "a", "{}")).isNull());
        assertDenied("intruder", TOPICS.deadLetter());
        assertDenied("acme-producer", TOPICS.deadLetter());
    }

    @Test
    void aTenantProducerWritesItsOwnCommandsTopicOnly() {
        assertDenied("acme-producer", TOPICS.tenantCommands("globex"));
        assertDenied("acme-producer", TOPICS.commands());
        assertDenied("globex-producer", TOPICS.tenantCommands("acme"));
        assertDenied("intruder", TOPICS.tenantCommands("acme"));
        assertDenied("worker", TOPICS.commands());
    }

    @Test
    void aTenantProducersJobRunsAsThatTenantAndCannotClaimAnother() {
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(send("acme-producer", TOPICS.tenantCommands("acme"),
                "acme-nightly", submit("acme-nightly", ""))).isNull());
        assertThat(send("acme-producer", TOPICS.tenantCommands("acme"), "acme-claims-globex",
                submit("acme-claims-globex", "\"tenant\":\"globex\","))).isNull();

        List<JobEvent> events = await().atMost(DEADLINE).until(
                () -> read("api", TOPICS.events()).stream().map(r -> Json.decode(r.value(), JobEvent.class)).toList(),
                list -> list.stream().anyMatch(e -> e.jobId().equals("acme-nightly") && e.state() == JobState.DISPATCHED)
                        && list.stream().anyMatch(e -> e.jobId().equals("acme-claims-globex")));
        assertThat(events).filteredOn(e -> e.jobId().equals("acme-nightly") && e.state() == JobState.QUEUED)
                .singleElement().satisfies(e -> assertThat(e.tenant()).isEqualTo("acme"));
        assertThat(events).filteredOn(e -> e.jobId().equals("acme-claims-globex"))
                .extracting(JobEvent::state).containsExactly(JobState.REJECTED);

        List<ConsumerRecord<String, byte[]>> runs = await().atMost(DEADLINE).until(() -> read("worker", TOPICS.runs("default")),
                list -> !list.isEmpty());
        assertThat(Json.decode(runs.get(0).value(), RunAssignment.class).tenant()).isEqualTo("acme");

        List<DeadLetter> letters = await().atMost(DEADLINE).until(() -> read("admin", TOPICS.deadLetter()).stream()
                .map(r -> Json.decode(r.value(), DeadLetter.class)).toList(), hasJob("acme-claims-globex"));
        assertThat(letters).filteredOn(l -> "acme-claims-globex".equals(l.jobId())).singleElement()
                .satisfies(l -> assertThat(l.reason()).isEqualTo("FORBIDDEN"));
    }

    @Test
    void componentsWithoutCreateStartOnExistingTopicsAndNameAMissingOne() throws Exception {
        new TopicCreator(clients("worker", password("worker"), "SCRAM-SHA-256"))
                .ensure(List.of(TOPICS.runs("default"), TOPICS.reports(), TOPICS.control(), TOPICS.deadLetter()), DEADLINE);
        new TopicCreator(clients("api", password("api"), "SCRAM-SHA-256"))
                .ensure(List.of(TOPICS.commands(), TOPICS.events(), TOPICS.deadLetter()), DEADLINE);
        assertThatThrownBy(() -> new TopicCreator(clients("worker", password("worker"), "SCRAM-SHA-256"))
                .ensure(List.of(TOPICS.runs("nosuchpool")), Duration.ofSeconds(2)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(TOPICS.runs("nosuchpool"));
    }

    /**
     * The Python producer example (confluent-kafka) with the same KINDLING_KAFKA_* settings:
     * submits on its tenant's topic, and cannot on another's. Needs a Python with confluent-kafka:
     * -Dkindling.producer.python, else .tools/airflow-venv (made by ./kindling test), else skipped.
     */
    @Test
    void thePythonProducerExampleSubmitsForItsTenantOnly() throws Exception {
        String python = producerPython();
        Assumptions.assumeTrue(python != null, "no Python with confluent-kafka (set -Dkindling.producer.python)");
        Path passwordFile = Files.writeString(dir.resolve("acme.password"), password("acme-producer"));

        ProducerRun own = runProducer(python, passwordFile, "acme", "acme-from-python");
        assertThat(own.exitCode()).as(own.output()).isZero();
        assertThat(own.output()).contains("acme-from-python");
        List<JobEvent> events = await().atMost(DEADLINE).until(
                () -> read("api", TOPICS.events()).stream().map(r -> Json.decode(r.value(), JobEvent.class)).toList(),
                list -> list.stream().anyMatch(e -> e.jobId().equals("acme-from-python") && e.state() == JobState.QUEUED));
        assertThat(events).filteredOn(e -> e.jobId().equals("acme-from-python") && e.state() == JobState.QUEUED)
                .singleElement().satisfies(e -> assertThat(e.tenant()).isEqualTo("acme"));

        ProducerRun foreign = runProducer(python, passwordFile, "globex", "acme-as-globex");
        assertThat(foreign.exitCode()).isNotZero();
        assertThat(foreign.output()).containsIgnoringCase("authoriz");
        assertThat(foreign.output()).doesNotContain(password("acme-producer"));
    }

    private static ProducerRun runProducer(String python, Path passwordFile, String tenant, String jobId) throws Exception {
        Path script = projectDir().resolve("examples/kafka/produce_job.py");
        ProcessBuilder pb = new ProcessBuilder(python, script.toString(), "--bootstrap-servers", broker.bootstrapServers(),
                "--topic-prefix", TOPICS.prefix(), "--tenant", tenant, "--job-id", jobId, "/tmp/pi.py", "2",
                "-X", "message.timeout.ms=15000").redirectErrorStream(true);
        pb.environment().putAll(ScramUsers.loginEnv(ScramMechanism.SCRAM_SHA_256, "acme-producer", passwordFile));
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new ProducerRun(process.exitValue(), output);
    }

    /** A Python that can import confluent_kafka, or null. */
    private static String producerPython() throws Exception {
        List<String> candidates = new ArrayList<>();
        String configured = System.getProperty("kindling.producer.python");
        if (configured != null && !configured.isBlank()) {
            candidates.add(configured);
        }
        candidates.add(projectDir().resolve(".tools/airflow-venv/bin/python").toString());
        for (String python : candidates) {
            if (Files.isExecutable(Path.of(python))) {
                Process probe = new ProcessBuilder(python, "-c", "import confluent_kafka")
                        .redirectErrorStream(true).start();
                probe.getInputStream().readAllBytes();
                if (probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0) {
                    return python;
                }
            }
        }
        return null;
    }

    private static Path projectDir() {
        String dir = System.getProperty("kindling.project.dir");
        Path p = dir != null ? Path.of(dir) : Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("mvnw"))) {
            p = p.getParent();
        }
        assertThat(p).as("project directory (holding mvnw)").isNotNull();
        return p;
    }

    /** A finished run of the producer example. */
    private record ProducerRun(int exitCode, String output) {
    }

    private static Predicate<List<DeadLetter>> hasJob(String jobId) {
        return list -> list.stream().anyMatch(l -> jobId.equals(l.jobId()));
    }

    private static String submit(String jobId, String specExtra) {
        return "{\"type\":\"submit\",\"jobId\":\"" + jobId + "\",\"spec\":{\"name\":\"pi\"," + specExtra
                + "\"application\":{\"type\":\"python\",\"file\":\"/tmp/pi.py\"}}}";
    }

    /** Waits until {@code user}'s write to {@code topic} fails on authorization (not on a login still propagating). */
    private static void assertDenied(String user, String topic) {
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(send(user, topic, "forged", "{}"))
                .as("%s writing %s", user, topic).isInstanceOf(AuthorizationException.class));
    }

    /** Null when the broker acknowledged the record, else the failure's cause. */
    private static Throwable send(String user, String topic, String key, String value) {
        try (KafkaProducer<String, byte[]> producer = clients(user, password(user), "SCRAM-SHA-256").producer("it-" + user)) {
            producer.send(new ProducerRecord<>(topic, key, value.getBytes(UTF_8))).get(30, TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (org.apache.kafka.common.KafkaException e) {
            return e;
        } catch (Exception e) {
            return e;
        }
    }

    private static List<ConsumerRecord<String, byte[]>> read(String user, String topic) {
        try (KafkaConsumer<String, byte[]> consumer = clients(user, password(user), "SCRAM-SHA-256").consumer(null, "it-read-" + user,
                Map.of())) {
            return TopicRecords.readAll(consumer, topic);
        }
    }

    private static KafkaClients clients(String user, String password, String mechanism) {
        return new KafkaClients(kafka.withSecurity(KafkaSecurity.scram(ScramUsers.PROTOCOL, mechanism, user, password)));
    }

    private static String password(String user) {
        return user.equals("admin") ? adminPassword : user + "-pw";
    }
}
