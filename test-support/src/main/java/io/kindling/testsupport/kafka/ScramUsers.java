package io.kindling.testsupport.kafka;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

/**
 * SCRAM users on a secured test broker ({@code EmbeddedKafkaBroker} started with {@code BrokerSecurity},
 * listening with {@value #PROTOCOL}), and the environment a component or client logs in as one of them with.
 */
public final class ScramUsers {
    /** The secured test broker's security protocol. */
    public static final String PROTOCOL = "SASL_PLAINTEXT";
    private static final int ITERATIONS = 8192;

    private ScramUsers() {
    }

    /** Creates (or replaces) a SCRAM credential for each user with its password, and waits up to 30 s for it. */
    public static void create(Admin admin, ScramMechanism mechanism, Map<String, String> passwords) throws Exception {
        List<UserScramCredentialAlteration> users = passwords.entrySet().stream()
                .<UserScramCredentialAlteration>map(user -> new UserScramCredentialUpsertion(user.getKey(),
                        new ScramCredentialInfo(mechanism, ITERATIONS), user.getValue()))
                .toList();
        admin.alterUserScramCredentials(users).all().get(30, TimeUnit.SECONDS);
    }

    /** The {@code KINDLING_KAFKA_*} security settings that log in as {@code user}, its password read from a file. */
    public static Map<String, String> loginEnv(ScramMechanism mechanism, String user, Path passwordFile) {
        return Map.of(
                "KINDLING_KAFKA_SECURITY_PROTOCOL", PROTOCOL,
                "KINDLING_KAFKA_SASL_MECHANISM", mechanism.mechanismName(),
                "KINDLING_KAFKA_SASL_USERNAME", user,
                "KINDLING_KAFKA_SASL_PASSWORD_FILE", passwordFile.toString());
    }
}
