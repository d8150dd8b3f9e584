package io.kindling.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.common.config.ConfigException;
import io.kindling.common.config.KnownKeys;
import io.kindling.schemas.MessageLimits;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiConfigTest {

    @Test
    void defaults() {
        ApiConfig config = ApiConfig.fromEnv(Map.of());

        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.maxRequestBytes()).isEqualTo(MessageLimits.SPEC_BYTES);
        assertThat(config.pools()).containsExactly("default");
        assertThat(config.views().jobRetention()).isEqualTo(java.time.Duration.ofDays(30));
        assertThat(config.views().storeFile().getFileName().toString()).isEqualTo("views-kindling.jobs.events.db");
        assertThat(config.publishTimeout()).isEqualTo(ApiConfig.DEFAULT_PUBLISH_TIMEOUT);
        assertThat(config.kafka().topics().commands()).isEqualTo("kindling.jobs.commands");
    }

    @Test
    void readsItsKeys() {
        ApiConfig config = ApiConfig.fromEnv(Map.of(
                "KINDLING_HTTP_HOST", "127.0.0.1",
                "KINDLING_HTTP_PORT", "0",
                "KINDLING_MAX_REQUEST_BYTES", "4096",
                "KINDLING_TOPIC_PREFIX", "t.",
                "KINDLING_BLOB_DIR", "/tmp/blobs"));

        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isZero();
        assertThat(config.maxRequestBytes()).isEqualTo(4096);
        assertThat(config.kafka().topics().events()).isEqualTo("t.jobs.events");
        assertThat(config.blobStore().localDir()).isEqualTo(Path.of("/tmp/blobs"));
    }

    @Test
    void aBadValueNamesTheKey() {
        assertThatThrownBy(() -> ApiConfig.fromEnv(Map.of("KINDLING_HTTP_PORT", "eighty")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KINDLING_HTTP_PORT");
        assertThatThrownBy(() -> ApiConfig.fromEnv(Map.of("KINDLING_BLOB_STORE", "floppy")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KINDLING_BLOB_STORE");
    }

    @Test
    void everyKeyTheApiReadsIsKnown() {
        assertThat(KnownKeys.ALL).containsAll(ApiConfig.allParameters().stream().map(p -> p.name()).toList());
    }

    @Test
    void theDescriptionListsTheEffectiveValues() {
        Map<String, String> env = Map.of("KINDLING_HTTP_PORT", "9000");
        String description = ApiConfig.describe(env, ApiConfig.fromEnv(env));

        assertThat(description).contains("KINDLING_HTTP_PORT=9000", "KINDLING_KAFKA_BOOTSTRAP_SERVERS=", "blob store: local");
    }
}
