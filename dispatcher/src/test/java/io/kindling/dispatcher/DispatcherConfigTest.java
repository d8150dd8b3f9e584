package io.kindling.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.common.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DispatcherConfigTest {

    @Test
    void withoutAPoolsFileThePoolsAreTheNamesInKindlingPools() {
        DispatcherConfig config = DispatcherConfig.fromEnv(Map.of("KINDLING_POOLS", "default, gpu"));
        assertThat(config.poolNames()).containsExactly("default", "gpu");
        assertThat(config.pools().pools().get("gpu").scheduling().maxRunning()).isNull();
        assertThat(DispatcherConfig.fromEnv(Map.of()).poolNames()).containsExactly("default");
    }

    @Test
    void aPoolsFileNamesThePools(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pools.yaml");
        Files.writeString(file, "pools:\n  batch: {maxRunning: 4, queueTimeoutSeconds: 600}\n");
        DispatcherConfig config = DispatcherConfig.fromEnv(Map.of("KINDLING_CONFIG", file.toString()));
        assertThat(config.poolNames()).containsExactly("batch");
        assertThat(config.pools().pools().get("batch").scheduling().maxRunning()).isEqualTo(4);
    }

    @Test
    void aBadPoolsFileFailsNamingTheKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pools.yaml");
        Files.writeString(file, "pools:\n  batch: {maxRunnning: 4}\n");
        assertThatThrownBy(() -> DispatcherConfig.fromEnv(Map.of("KINDLING_CONFIG", file.toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("maxRunnning").hasMessageContaining("batch");
        assertThatThrownBy(() -> DispatcherConfig.fromEnv(Map.of("KINDLING_CONFIG", dir.resolve("nope.yaml").toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("nope.yaml");
    }
}
