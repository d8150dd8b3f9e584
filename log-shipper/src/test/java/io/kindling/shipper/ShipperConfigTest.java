package io.kindling.shipper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.blobstore.BlobStoreConfig;
import io.kindling.common.config.ConfigException;
import io.kindling.common.spool.FreeAttemptDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShipperConfigTest {

    @Test
    void defaults() {
        ShipperConfig config = ShipperConfig.fromEnv(Map.of("KINDLING_HOME", "/var/kindling"));

        assertThat(config.spool().root()).isEqualTo(Path.of("/var/kindling/spool"));
        assertThat(config.pollInterval()).isEqualTo(Duration.ofMillis(200));
        assertThat(config.keepSpool()).isFalse();
        assertThat(config.maxBackoff()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.blobStore().kind()).isEqualTo(BlobStoreConfig.Kind.LOCAL);
        assertThat(config.blobStore().localDir()).isEqualTo(Path.of("/var/kindling/blobs"));
        assertThat(config.spoolWarnBytes()).isEqualTo(10L * 1024 * 1024 * 1024);
        assertThat(config.healthPort()).isZero();
        assertThat(config.k8sNamespace()).isNull();
    }

    @Test
    void readsTheSpoolLimitHealthPortAndPodNamespace() {
        ShipperConfig config = ShipperConfig.fromEnv(Map.of(
                "KINDLING_SHIPPER_SPOOL_WARN_BYTES", "21474836480",
                "KINDLING_SHIPPER_HEALTH_PORT", "9404",
                "KINDLING_SHIPPER_K8S_NAMESPACE", "spark-jobs"));

        assertThat(config.spoolWarnBytes()).isEqualTo(20L * 1024 * 1024 * 1024);
        assertThat(config.healthPort()).isEqualTo(9404);
        assertThat(config.k8sNamespace()).isEqualTo("spark-jobs");
        assertThatThrownBy(() -> ShipperConfig.fromEnv(Map.of("KINDLING_SHIPPER_SPOOL_WARN_BYTES", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KINDLING_SHIPPER_SPOOL_WARN_BYTES");
    }

    @Test
    void readsItsKeys() {
        ShipperConfig config = ShipperConfig.fromEnv(Map.of(
                "KINDLING_SPOOL_DIR", "/tmp/spool",
                "KINDLING_SHIPPER_POLL_MILLIS", "1000",
                "KINDLING_SHIPPER_KEEP_SPOOL", "true",
                "KINDLING_SHIPPER_THREADS", "4",
                "KINDLING_SHIPPER_KEPT_DIRS", "0"));

        assertThat(config.spool().root()).isEqualTo(Path.of("/tmp/spool"));
        assertThat(config.pollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.keepSpool()).isTrue();
        assertThat(config.threads()).isEqualTo(4);
        assertThat(ShipperConfig.fromEnv(Map.of()).threads()).isEqualTo(ShipperConfig.DEFAULT_THREADS);
        assertThat(config.keptDirs()).isZero();
        assertThat(ShipperConfig.fromEnv(Map.of()).keptDirs()).isEqualTo(FreeAttemptDirs.DEFAULT_CAPACITY);
    }

    @Test
    void aBadValueNamesItsKey() {
        assertThatThrownBy(() -> ShipperConfig.fromEnv(Map.of("KINDLING_SHIPPER_POLL_MILLIS", "soon")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KINDLING_SHIPPER_POLL_MILLIS");
        assertThatThrownBy(() -> ShipperConfig.fromEnv(Map.of("KINDLING_SHIPPER_KEEP_SPOOL", "maybe")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KINDLING_SHIPPER_KEEP_SPOOL");
        assertThatThrownBy(() -> ShipperConfig.fromEnv(Map.of("KINDLING_SHIPPER_KEPT_DIRS", "-1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KINDLING_SHIPPER_KEPT_DIRS");
        assertThatThrownBy(() -> ShipperConfig.fromEnv(Map.of("KINDLING_SHIPPER_THREADS", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KINDLING_SHIPPER_THREADS");
        assertThatThrownBy(() -> ShipperConfig.fromEnv(Map.of("KINDLING_BLOB_STORE", "azure")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KINDLING_AZURE_CONNECTION_STRING");
    }

    @Test
    void theDescriptionRedactsTheAccountKey() {
        ShipperConfig config = ShipperConfig.fromEnv(Map.of(
                "KINDLING_BLOB_STORE", "azure",
                "KINDLING_AZURE_CONNECTION_STRING",
                "DefaultEndpointsProtocol=http;AccountName=a;AccountKey=c2VjcmV0;BlobEndpoint=http://127.0.0.1:1/a"));

        assertThat(config.describe()).contains("KINDLING_SHIPPER_POLL_MILLIS=200").doesNotContain("c2VjcmV0");
    }
}
