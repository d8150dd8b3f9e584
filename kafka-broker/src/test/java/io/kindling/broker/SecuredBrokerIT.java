package io.kindling.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker with SASL/SCRAM and the KRaft ACL authorizer: who may do what is decided by ACLs. */
class SecuredBrokerIT {
    private static final BrokerSecurity SECURITY = new BrokerSecurity("admin", "admin-secret-1");

    @TempDir
    Path dataDir;

    @Test
    void scramUsersNeedAnAclAndAWrongPasswordIsRefused() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.onFreePorts(dataDir), SECURITY);
             Admin admin = Admin.create(client(broker, "SCRAM-SHA-512", "admin", "admin-secret-1"))) {
            admin.createTopics(List.of(new NewTopic("orders", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("alice",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192), "alice-pw"))).all().get(30, TimeUnit.SECONDS);

            assertThatThrownBy(() -> send(broker, "alice", "alice-pw", "orders"))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(AuthorizationException.class);

            admin.createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, "orders", PatternType.LITERAL),
                    new AccessControlEntry("User:alice", "*", AclOperation.WRITE, AclPermissionType.ALLOW))))
                    .all().get(30, TimeUnit.SECONDS);
            assertThat(send(broker, "alice", "alice-pw", "orders")).isGreaterThanOrEqualTo(0L);

            assertThatThrownBy(() -> send(broker, "alice", "wrong", "orders"))
                    .hasRootCauseInstanceOf(SaslAuthenticationException.class);
        }
    }

    private static long send(EmbeddedKafkaBroker broker, String user, String password, String topic) throws Exception {
        Map<String, Object> props = client(broker, "SCRAM-SHA-256", user, password);
        props.put("max.block.ms", "10000");
        props.put("delivery.timeout.ms", "10000");
        props.put("request.timeout.ms", "5000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            return producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS).offset();
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new ExecutionException(e);
        }
    }

    private static Map<String, Object> client(EmbeddedKafkaBroker broker, String mechanism, String user, String password) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", broker.bootstrapServers());
        props.put("security.protocol", "SASL_PLAINTEXT");
        props.put("sasl.mechanism", mechanism);
        props.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        return props;
    }
}
