package io.kindling.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class BenchStackTest {

    @Test
    void aStackSettingComesFromItsPrefixedSystemProperty() {
        Properties properties = new Properties();
        properties.setProperty(BenchStack.ENV_PREFIX + "KINDLING_API_CACHED_JOBS", "1000");
        properties.setProperty("kindling.bench.keepDirs", "true");
        properties.setProperty("java.version", "25");

        assertThat(BenchStack.overrides(properties)).isEqualTo(Map.of("KINDLING_API_CACHED_JOBS", "1000"));
    }
}
