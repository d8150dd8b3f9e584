package io.kindling.broker;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrokerConfigTest {

    @Test
    void defaultsToPort9092UnderDotKindling() {
        BrokerConfig config = BrokerConfig.fromEnv(Map.of());

        assertThat(config.port()).isEqualTo(9092);
        assertThat(config.controllerPort()).isZero();
        assertThat(config.dataDir()).isEqualTo(Path.of(".kindling", "kafka"));
    }

    @Test
    void readsPortAndHomeFromTheEnvironment() {
        BrokerConfig config = BrokerConfig.fromEnv(Map.of("KINDLING_KAFKA_PORT", "19092", "KINDLING_HOME", "/srv/k"));

        assertThat(config.port()).isEqualTo(19092);
        assertThat(config.dataDir()).isEqualTo(Path.of("/srv/k/kafka"));
    }

    @Test
    void rejectsABadPortNamingTheKey() {
        assertThatThrownBy(() -> BrokerConfig.fromEnv(Map.of("KINDLING_KAFKA_PORT", "ninety")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("KINDLING_KAFKA_PORT");
        assertThatThrownBy(() -> BrokerConfig.fromEnv(Map.of("KINDLING_KAFKA_PORT", "70000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("KINDLING_KAFKA_PORT");
    }

    @Test
    void rejectsABlankHome() {
        assertThatThrownBy(() -> BrokerConfig.fromEnv(Map.of("KINDLING_HOME", " ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("KINDLING_HOME");
    }
}
