package io.kindling.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.common.config.ConfigException;
import io.kindling.common.config.EnvConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaSecurityTest {
    private static final String PASSWORD = "s3cret-\"quoted\"-pw";

    @TempDir
    Path dir;

    @Test
    void defaultIsPlaintextWithoutAuthentication() {
        KafkaSecurity security = KafkaSecurity.from(new EnvConfig(Map.of()));
        assertThat(security.enabled()).isFalse();
        assertThat(security.clientProperties()).containsOnly(Map.entry("security.protocol", "PLAINTEXT"));
    }

    @Test
    void scramOverSslReadsThePasswordsFromFiles() throws Exception {
        Path password = write("password", PASSWORD + "\n");
        Path truststore = write("truststore.p12", "not really a store");
        Path truststorePassword = write("ts-password", "ts-pw\n");
        KafkaSecurity security = KafkaSecurity.from(new EnvConfig(Map.of(
                "KINDLING_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KINDLING_KAFKA_SASL_MECHANISM", "scram-sha-512",
                "KINDLING_KAFKA_SASL_USERNAME", "kindling-api",
                "KINDLING_KAFKA_SASL_PASSWORD_FILE", password.toString(),
                "KINDLING_KAFKA_SSL_TRUSTSTORE_LOCATION", truststore.toString(),
                "KINDLING_KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12",
                "KINDLING_KAFKA_SSL_TRUSTSTORE_PASSWORD_FILE", truststorePassword.toString())));

        assertThat(security.enabled()).isTrue();
        assertThat(security.clientProperties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " password=\"s3cret-\\\"quoted\\\"-pw\" username=\"kindling-api\";")
                .containsEntry("ssl.truststore.location", truststore.toString())
                .containsEntry("ssl.truststore.type", "PKCS12")
                .containsEntry("ssl.truststore.password", "ts-pw");
        assertThat(security.describe()).doesNotContain("s3cret").doesNotContain("ts-pw").contains("sasl.mechanism=SCRAM-SHA-512");
        assertThat(security.toString()).doesNotContain("s3cret");
    }

    @Test
    void mutualTlsWithAClientCertificate() throws Exception {
        Path keystore = write("client.p12", "x");
        KafkaSecurity security = KafkaSecurity.from(new EnvConfig(Map.of(
                "KINDLING_KAFKA_SECURITY_PROTOCOL", "SSL",
                "KINDLING_KAFKA_SSL_KEYSTORE_LOCATION", keystore.toString(),
                "KINDLING_KAFKA_SSL_KEYSTORE_PASSWORD_FILE", write("ks", "ks-pw").toString(),
                "KINDLING_KAFKA_SSL_KEY_PASSWORD_FILE", write("key", "key-pw").toString(),
                "KINDLING_KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM", "none")));
        assertThat(security.clientProperties())
                .containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.keystore.location", keystore.toString())
                .containsEntry("ssl.keystore.password", "ks-pw")
                .containsEntry("ssl.key.password", "key-pw")
                .containsEntry("ssl.endpoint.identification.algorithm", "")
                .doesNotContainKey("sasl.mechanism");
        assertThat(security.describe()).doesNotContain("ks-pw").doesNotContain("key-pw");
    }

    @Test
    void oauthBearerClientCredentials() throws Exception {
        KafkaSecurity security = KafkaSecurity.from(new EnvConfig(Map.of(
                "KINDLING_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KINDLING_KAFKA_SASL_MECHANISM", "OAUTHBEARER",
                "KINDLING_KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL", "https://login.example/tenant/oauth2/v2.0/token",
                "KINDLING_KAFKA_SASL_OAUTHBEARER_CLIENT_ID", "app-id",
                "KINDLING_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE", write("client-secret", "cs-value").toString(),
                "KINDLING_KAFKA_SASL_OAUTHBEARER_SCOPE", "api://kafka/.default")));
        assertThat(security.clientProperties())
                .containsEntry("sasl.mechanism", "OAUTHBEARER")
                .containsEntry("sasl.oauthbearer.token.endpoint.url", "https://login.example/tenant/oauth2/v2.0/token")
                .containsEntry("sasl.login.callback.handler.class",
                        "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"
                        + " required clientId=\"app-id\" clientSecret=\"cs-value\" scope=\"api://kafka/.default\";");
        assertThat(security.describe()).doesNotContain("cs-value");
    }

    @Test
    void propertiesFilePassesThroughAndIsRedactedWhenDescribed() throws Exception {
        Path file = write("client.properties", """
                security.protocol=SASL_SSL
                sasl.mechanism=PLAIN
                sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="$ConnectionString" password="Endpoint=sb://x/;SharedAccessKey=pass-through-secret";
                client.dns.lookup=use_all_dns_ips
                """);
        KafkaSecurity security = KafkaSecurity.from(new EnvConfig(Map.of("KINDLING_KAFKA_PROPERTIES_FILE", file.toString())));
        assertThat(security.clientProperties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("client.dns.lookup", "use_all_dns_ips");
        assertThat(security.describe()).doesNotContain("pass-through-secret").contains("client.dns.lookup=use_all_dns_ips");
    }

    @Test
    void missingOrUnreadableSettingsFailNamingTheKey() throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("KINDLING_KAFKA_SECURITY_PROTOCOL", "SASL_SSL"));
        assertThatThrownBy(() -> KafkaSecurity.from(new EnvConfig(env)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KINDLING_KAFKA_SASL_MECHANISM");
        env.put("KINDLING_KAFKA_SASL_MECHANISM", "SCRAM-SHA-256");
        env.put("KINDLING_KAFKA_SASL_USERNAME", "u");
        assertThatThrownBy(() -> KafkaSecurity.from(new EnvConfig(env)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KINDLING_KAFKA_SASL_PASSWORD_FILE");
        env.put("KINDLING_KAFKA_SASL_PASSWORD_FILE", dir.resolve("absent").toString());
        assertThatThrownBy(() -> KafkaSecurity.from(new EnvConfig(env)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KINDLING_KAFKA_SASL_PASSWORD_FILE");
        assertThatThrownBy(() -> KafkaSecurity.from(new EnvConfig(Map.of("KINDLING_KAFKA_SECURITY_PROTOCOL", "TLS"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KINDLING_KAFKA_SECURITY_PROTOCOL");
        assertThatThrownBy(() -> KafkaSecurity.from(new EnvConfig(Map.of("KINDLING_KAFKA_SASL_MECHANISM", "PLAIN"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KINDLING_KAFKA_SECURITY_PROTOCOL");
    }

    @Test
    void kafkaConfigCarriesTheSecurityToEveryClient() throws Exception {
        KafkaConfig config = KafkaConfig.fromEnv(Map.of(
                "KINDLING_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "KINDLING_KAFKA_SASL_MECHANISM", "SCRAM-SHA-256",
                "KINDLING_KAFKA_SASL_USERNAME", "kindling-worker",
                "KINDLING_KAFKA_SASL_PASSWORD_FILE", write("pw", "pw").toString()));
        assertThat(config.security().clientProperties()).containsEntry("sasl.mechanism", "SCRAM-SHA-256");
        assertThat(KafkaConfig.PARAMETERS).extracting(p -> p.name()).contains("KINDLING_KAFKA_SASL_PASSWORD_FILE");
    }

    private Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }
}
