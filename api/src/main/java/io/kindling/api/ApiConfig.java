package io.kindling.api;

import io.kindling.api.auth.AuthConfig;
import io.kindling.api.limits.ApiLimits;
import io.kindling.blobstore.BlobStoreConfig;
import io.kindling.common.config.ConfigException;
import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.EnvConfig;
import io.kindling.common.config.KindlingHome;
import io.kindling.common.kafka.KafkaConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the api reads from its environment.
 *
 * @param host            interface the HTTP server binds ({@code KINDLING_HTTP_HOST})
 * @param port            HTTP port, 0 for any free port ({@code KINDLING_HTTP_PORT})
 * @param maxRequestBytes largest request body accepted ({@code KINDLING_MAX_REQUEST_BYTES})
 * @param maxArtifactBytes largest artifact upload accepted ({@code KINDLING_MAX_ARTIFACT_BYTES})
 * @param publishTimeout  how long a submission waits for Kafka's acknowledgement before it answers 503
 * @param kafka           brokers and topic names
 * @param blobStore       where driver logs are read from
 * @param auth            how requests are authenticated
 * @param limits          abuse limits (rates, connection caps)
 */
public record ApiConfig(String host, int port, int maxRequestBytes, int maxArtifactBytes, Duration publishTimeout, KafkaConfig kafka,
        BlobStoreConfig blobStore, AuthConfig auth, ApiLimits limits) {

    public static final ConfigParameter<String> HTTP_HOST =
            ConfigParameter.string("KINDLING_HTTP_HOST", "0.0.0.0", "interface the api listens on");
    public static final ConfigParameter<Integer> HTTP_PORT =
            ConfigParameter.integer("KINDLING_HTTP_PORT", 8080, 0, 65535, "api HTTP port (0 = any free port)");
    public static final ConfigParameter<Integer> MAX_REQUEST_BYTES = ConfigParameter.integer(
            "KINDLING_MAX_REQUEST_BYTES", 1024 * 1024, 1024, 64 * 1024 * 1024, "largest request body the api accepts");

    public static final ConfigParameter<Integer> MAX_ARTIFACT_BYTES = ConfigParameter.integer(
            "KINDLING_MAX_ARTIFACT_BYTES", 512 * 1024 * 1024, 1024, Integer.MAX_VALUE,
            "largest artifact upload (POST /v1/artifacts) the api accepts");

    /** The api's own keys. */
    public static final List<ConfigParameter<?>> PARAMETERS = concat(
            List.of(HTTP_HOST, HTTP_PORT, MAX_REQUEST_BYTES, MAX_ARTIFACT_BYTES), AuthConfig.PARAMETERS, ApiLimits.PARAMETERS);

    private static List<ConfigParameter<?>> concat(List<ConfigParameter<?>> a, List<ConfigParameter<?>> b,
            List<ConfigParameter<?>> c) {
        List<ConfigParameter<?>> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        return List.copyOf(all);
    }

    public static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(10);

    public ApiConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(publishTimeout, "publishTimeout");
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(blobStore, "blobStore");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(limits, "limits");
    }

    public static ApiConfig fromEnv(Map<String, String> env) {
        EnvConfig config = new EnvConfig(env);
        BlobStoreConfig blobs;
        try {
            blobs = BlobStoreConfig.fromEnv(env);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        String host = config.get(HTTP_HOST);
        return new ApiConfig(host, config.get(HTTP_PORT), config.get(MAX_REQUEST_BYTES),
                config.get(MAX_ARTIFACT_BYTES),
                DEFAULT_PUBLISH_TIMEOUT, KafkaConfig.from(config), blobs, AuthConfig.from(config, host), ApiLimits.from(config));
    }

    /** Every parameter the api reads through {@link EnvConfig}, for the start-up log. */
    public static List<ConfigParameter<?>> allParameters() {
        List<ConfigParameter<?>> all = new ArrayList<>(PARAMETERS);
        all.addAll(KafkaConfig.PARAMETERS);
        all.add(KindlingHome.HOME);
        return List.copyOf(all);
    }

    /** The effective configuration, one key a line, secrets redacted. */
    public static String describe(Map<String, String> env, ApiConfig config) {
        return new EnvConfig(env).describe(allParameters()) + "\n  blob store: " + config.blobStore().describe();
    }

    public ApiConfig withPort(int value) {
        return new ApiConfig(host, value, maxRequestBytes, maxArtifactBytes, publishTimeout, kafka, blobStore, auth, limits);
    }

    public ApiConfig withPublishTimeout(Duration value) {
        return new ApiConfig(host, port, maxRequestBytes, maxArtifactBytes, value, kafka, blobStore, auth, limits);
    }

    public ApiConfig withAuth(AuthConfig value) {
        return new ApiConfig(host, port, maxRequestBytes, maxArtifactBytes, publishTimeout, kafka, blobStore, value, limits);
    }

    public ApiConfig withLimits(ApiLimits value) {
        return new ApiConfig(host, port, maxRequestBytes, maxArtifactBytes, publishTimeout, kafka, blobStore, auth, value);
    }

    public ApiConfig withMaxArtifactBytes(int value) {
        return new ApiConfig(host, port, maxRequestBytes, value, publishTimeout, kafka, blobStore, auth, limits);
    }
}
