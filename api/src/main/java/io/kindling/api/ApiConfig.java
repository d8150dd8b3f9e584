package io.kindling.api;

import io.kindling.api.auth.AuthConfig;
import io.kindling.api.limits.ApiLimits;
import io.kindling.blobstore.BlobStoreConfig;
import io.kindling.common.config.ConfigException;
import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.EnvConfig;
import io.kindling.common.config.KindlingHome;
import io.kindling.common.kafka.KafkaConfig;
import io.kindling.common.kafka.TopicSettings;
import io.kindling.common.pools.PoolsFile;
import io.kindling.api.sessions.SessionsConfig;
import io.kindling.api.view.ViewConfig;
import io.kindling.schemas.MessageLimits;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
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
 * @param views           the job store: where, how much in memory, how long finished jobs are kept
 * @param pools           the pools a job may name (the dispatcher's: {@code KINDLING_CONFIG}, else {@code KINDLING_POOLS})
 * @param sessions        interactive sessions: the session gateway's address, TLS files and relay key
 */
public record ApiConfig(String host, int port, int maxRequestBytes, int maxArtifactBytes, Duration publishTimeout,
        KafkaConfig kafka, BlobStoreConfig blobStore, AuthConfig auth, ApiLimits limits, ViewConfig views, Set<String> pools,
        SessionsConfig sessions) {

    public static final ConfigParameter<String> HTTP_HOST =
            ConfigParameter.string("KINDLING_HTTP_HOST", "0.0.0.0", "interface the api listens on");
    public static final ConfigParameter<Integer> HTTP_PORT =
            ConfigParameter.integer("KINDLING_HTTP_PORT", 8080, 0, 65535, "api HTTP port (0 = any free port)");
    public static final ConfigParameter<Integer> MAX_REQUEST_BYTES = ConfigParameter.integer(
            "KINDLING_MAX_REQUEST_BYTES", MessageLimits.SPEC_BYTES, 1024, MessageLimits.SPEC_BYTES,
            "largest request body the api accepts (at most the Kafka record limit less the command's envelope)");
    public static final ConfigParameter<String> STORE_DIR = ConfigParameter.string(
            "KINDLING_API_STORE_DIR", null, "directory of the api's job store (default $KINDLING_HOME/api)");
    public static final ConfigParameter<Integer> CACHED_JOBS = ConfigParameter.integer(
            "KINDLING_API_CACHED_JOBS", ViewConfig.DEFAULT_CACHED_JOBS, 0, 10_000_000,
            "finished jobs the api keeps in memory besides the live ones");
    public static final ConfigParameter<String> POOLS = ConfigParameter.string(
            "KINDLING_POOLS", "default", "comma-separated names of the worker pools jobs may ask for (without KINDLING_CONFIG)");
    public static final ConfigParameter<String> CONFIG = ConfigParameter.string(
            "KINDLING_CONFIG", null, "path to the pools file (YAML); when set, it names the pools instead of KINDLING_POOLS");

    public static final ConfigParameter<Integer> MAX_ARTIFACT_BYTES = ConfigParameter.integer(
            "KINDLING_MAX_ARTIFACT_BYTES", 512 * 1024 * 1024, 1024, Integer.MAX_VALUE,
            "largest artifact upload (POST /v1/artifacts) the api accepts");

    /** The api's own keys. */
    public static final List<ConfigParameter<?>> PARAMETERS = concat(
            List.of(HTTP_HOST, HTTP_PORT, MAX_REQUEST_BYTES, MAX_ARTIFACT_BYTES, STORE_DIR, CACHED_JOBS,
                    TopicSettings.JOB_RETENTION_DAYS, POOLS, CONFIG), AuthConfig.PARAMETERS, ApiLimits.PARAMETERS,
            SessionsConfig.PARAMETERS);

    @SafeVarargs
    private static List<ConfigParameter<?>> concat(List<ConfigParameter<?>>... lists) {
        List<ConfigParameter<?>> all = new ArrayList<>();
        for (List<ConfigParameter<?>> list : lists) {
            all.addAll(list);
        }
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
        Objects.requireNonNull(views, "views");
        Objects.requireNonNull(sessions, "sessions");
        pools = Set.copyOf(pools);
    }

    public static ApiConfig fromEnv(Map<String, String> env) {
        EnvConfig config = new EnvConfig(env);
        BlobStoreConfig blobs;
        try {
            blobs = BlobStoreConfig.fromEnv(env);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        KafkaConfig kafka = KafkaConfig.from(config);
        String dir = config.get(STORE_DIR);
        Path storeDir = dir != null ? Path.of(dir).toAbsolutePath().normalize() : KindlingHome.from(config).resolve("api");
        ViewConfig views = new ViewConfig(storeDir.resolve("views-" + kafka.topics().events() + ".db"),
                config.get(CACHED_JOBS), Duration.ofDays(config.get(TopicSettings.JOB_RETENTION_DAYS)),
                ViewConfig.DEFAULT_EVENTS_PER_JOB);
        String host = config.get(HTTP_HOST);
        return new ApiConfig(host, config.get(HTTP_PORT), config.get(MAX_REQUEST_BYTES),
                config.get(MAX_ARTIFACT_BYTES),
                DEFAULT_PUBLISH_TIMEOUT, kafka, blobs, AuthConfig.from(config, host), ApiLimits.from(config), views,
                pools(config), SessionsConfig.from(config));
    }

    /** The pool names the dispatcher reads: the pools file's, else {@code KINDLING_POOLS}. */
    static Set<String> pools(EnvConfig config) {
        String file = config.get(CONFIG);
        PoolsFile pools = file != null ? PoolsFile.load(Path.of(file))
                : PoolsFile.defaults(Arrays.stream(config.get(POOLS).split(",")).map(String::trim).toList());
        return new TreeSet<>(pools.pools().keySet());
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
        return new ApiConfig(host, value, maxRequestBytes, maxArtifactBytes, publishTimeout, kafka, blobStore, auth, limits, views,
                pools, sessions);
    }

    public ApiConfig withPublishTimeout(Duration value) {
        return new ApiConfig(host, port, maxRequestBytes, maxArtifactBytes, value, kafka, blobStore, auth, limits, views,
                pools, sessions);
    }

    public ApiConfig withAuth(AuthConfig value) {
        return new ApiConfig(host, port, maxRequestBytes, maxArtifactBytes, publishTimeout, kafka, blobStore, value, limits, views,
                pools, sessions);
    }

    public ApiConfig withLimits(ApiLimits value) {
        return new ApiConfig(host, port, maxRequestBytes, maxArtifactBytes, publishTimeout, kafka, blobStore, auth, value, views,
                pools, sessions);
    }

    public ApiConfig withMaxArtifactBytes(int value) {
        return new ApiConfig(host, port, maxRequestBytes, value, publishTimeout, kafka, blobStore, auth, limits, views,
                pools, sessions);
    }

    public ApiConfig withSessions(SessionsConfig value) {
        return new ApiConfig(host, port, maxRequestBytes, maxArtifactBytes, publishTimeout, kafka, blobStore, auth, limits, views,
                pools, value);
    }

    public ApiConfig withViews(ViewConfig value) {
        return new ApiConfig(host, port, maxRequestBytes, maxArtifactBytes, publishTimeout, kafka, blobStore, auth, limits, value,
                pools, sessions);
    }
}
