package io.kindling.dispatcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.broker.BrokerConfig;
import io.kindling.broker.BrokerSecurity;
import io.kindling.broker.EmbeddedKafkaBroker;
import io.kindling.common.kafka.KafkaAcls;
import io.kindling.common.kafka.KafkaClients;
import io.kindling.common.kafka.KafkaConfig;
import io.kindling.common.kafka.KafkaSecurity;
import io.kindling.common.config.EnvConfig;
import io.kindling.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SSL with client certificates, configured the documented way (KINDLING_KAFKA_SSL_* with the
 * passwords in files): the principal is the certificate's subject and the ACLs decide; a client
 * without a certificate cannot even connect. Certificates come from a CA the test makes with keytool.
 */
class MutualTlsKafkaIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Topics TOPICS = new Topics("tls.");
    private static final String PASSWORD = "store-pw-" + System.nanoTime();

    @TempDir
    static Path dir;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void brokerWithATlsListenerAndTheWorkersAcls() throws Exception {
        keytool("-genkeypair", "-alias", "ca", "-dname", "CN=kindling-test-ca", "-keyalg", "RSA", "-keysize", "2048",
                "-ext", "bc:c", "-validity", "2", "-keystore", "ca.p12");
        keytool("-exportcert", "-alias", "ca", "-rfc", "-file", "ca.pem", "-keystore", "ca.p12");
        keytool("-importcert", "-alias", "ca", "-file", "ca.pem", "-noprompt", "-keystore", "truststore.p12");
        for (String name : List.of("broker", "kindling-worker", "intruder")) {
            signed(name);
        }
        BrokerSecurity security = new BrokerSecurity("admin", "admin-" + PASSWORD,
                new BrokerSecurity.Tls(dir.resolve("broker.p12"), dir.resolve("truststore.p12"), PASSWORD));
        broker = EmbeddedKafkaBroker.start(BrokerConfig.onFreePorts(dir.resolve("kafka")), security);
        KafkaConfig admin = new KafkaConfig(broker.bootstrapServers(), TOPICS, 1, (short) 1)
                .withSecurity(KafkaSecurity.scram("SASL_PLAINTEXT", "SCRAM-SHA-512", "admin", "admin-" + PASSWORD));
        try (Admin a = new KafkaClients(admin).admin("it-admin")) {
            a.createTopics(List.of(new NewTopic(TOPICS.reports(), 1, (short) 1), new NewTopic(TOPICS.events(), 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
            a.createAcls(KafkaAcls.worker(TOPICS, "User:CN=kindling-worker", "default")).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theWorkersCertificateWritesReportsButNotEvents() {
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(send(client("kindling-worker"), TOPICS.reports())).isNull());
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(send(client("kindling-worker"), TOPICS.events()))
                .isInstanceOf(AuthorizationException.class));
    }

    @Test
    void aCertificateWithoutAclsIsDeniedAndNoCertificateCannotConnect() throws Exception {
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(send(client("intruder"), TOPICS.reports()))
                .isInstanceOf(AuthorizationException.class));
        Map<String, String> noCertificate = env(null);
        assertThat(send(new KafkaClients(KafkaConfig.fromEnv(noCertificate)), TOPICS.reports()))
                .isInstanceOf(SslAuthenticationException.class);
    }

    /** Clients of {@code name}'s certificate, configured through the KINDLING_KAFKA_* keys. */
    private static KafkaClients client(String name) throws Exception {
        return new KafkaClients(KafkaConfig.fromEnv(env(name)));
    }

    private static Map<String, String> env(String name) throws Exception {
        Path passwordFile = Files.writeString(dir.resolve("password"), PASSWORD + "\n");
        Map<String, String> env = new HashMap<>(Map.of(
                "KINDLING_KAFKA_BOOTSTRAP_SERVERS", broker.tlsBootstrapServers(),
                "KINDLING_TOPIC_PREFIX", TOPICS.prefix(),
                "KINDLING_KAFKA_SECURITY_PROTOCOL", "SSL",
                "KINDLING_KAFKA_SSL_TRUSTSTORE_LOCATION", dir.resolve("truststore.p12").toString(),
                "KINDLING_KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12",
                "KINDLING_KAFKA_SSL_TRUSTSTORE_PASSWORD_FILE", passwordFile.toString()));
        if (name != null) {
            env.put("KINDLING_KAFKA_SSL_KEYSTORE_LOCATION", dir.resolve(name + ".p12").toString());
            env.put("KINDLING_KAFKA_SSL_KEYSTORE_TYPE", "PKCS12");
            env.put("KINDLING_KAFKA_SSL_KEYSTORE_PASSWORD_FILE", passwordFile.toString());
        }
        new EnvConfig(env).rejectUnknown(io.kindling.common.config.KnownKeys.ALL);
        return env;
    }

    /** Null when the broker acknowledged the record, else the failure. */
    private static Throwable send(KafkaClients clients, String topic) {
        try (KafkaProducer<String, byte[]> producer = clients.producer("it-tls")) {
            producer.send(new ProducerRecord<>(topic, "job", "{}".getBytes(UTF_8))).get(30, TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }

    /** A key pair for {@code CN=name} in {@code name.p12}, signed by the test CA, valid for 127.0.0.1. */
    private static void signed(String name) throws Exception {
        keytool("-genkeypair", "-alias", name, "-dname", "CN=" + name, "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-keystore", name + ".p12");
        keytool("-certreq", "-alias", name, "-file", name + ".csr", "-keystore", name + ".p12");
        keytool("-gencert", "-alias", "ca", "-infile", name + ".csr", "-outfile", name + ".crt", "-rfc",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", "ca.p12");
        keytool("-importcert", "-alias", "ca", "-file", "ca.pem", "-noprompt", "-keystore", name + ".p12");
        keytool("-importcert", "-alias", name, "-file", name + ".crt", "-keystore", name + ".p12");
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("keytool %s: %s", args[0], output).isZero();
    }
}
