package io.kindling.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.KnownKeys;
import io.kindling.common.kafka.KafkaConfig;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.dispatcher.DispatcherConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KnownKeysTest {

    @Test
    void everyDeclaredParameterIsAKnownKey() {
        List<ConfigParameter<?>> declared = new ArrayList<>();
        declared.addAll(KafkaConfig.PARAMETERS);
        declared.addAll(DispatcherConfig.PARAMETERS);
        declared.addAll(EmbeddedConfig.PARAMETERS);
        declared.addAll(io.kindling.api.ApiConfig.PARAMETERS);
        declared.addAll(io.kindling.worker.WorkerConfig.PARAMETERS);
        declared.addAll(io.kindling.shipper.ShipperConfig.PARAMETERS);
        declared.add(SpoolLayout.SPOOL_DIR);
        declared.addAll(io.kindling.common.management.ManagementConfig.PARAMETERS);
        assertThat(declared).extracting(ConfigParameter::name).allSatisfy(name -> assertThat(KnownKeys.ALL).contains(name));
        assertThat(io.kindling.blobstore.BlobStoreConfig.KEYS).allSatisfy(name -> assertThat(KnownKeys.ALL).contains(name));
    }

    @Test
    void everyKnownKeyIsDocumented() throws Exception {
        java.nio.file.Path doc = projectDir().resolve("docs/configuration.md");
        String text = java.nio.file.Files.readString(doc);
        assertThat(KnownKeys.ALL).allSatisfy(key -> assertThat(text).as("docs/configuration.md documents %s", key).contains(key));
    }

    private static java.nio.file.Path projectDir() {
        String dir = System.getProperty("kindling.project.dir");
        java.nio.file.Path p = dir != null ? java.nio.file.Path.of(dir) : java.nio.file.Path.of("").toAbsolutePath();
        while (p != null && !java.nio.file.Files.exists(p.resolve("mvnw"))) {
            p = p.getParent();
        }
        assertThat(p).as("project directory (holding mvnw)").isNotNull();
        return p;
    }
}
