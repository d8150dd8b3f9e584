package io.kindling.common.config;

import java.util.Set;

/**
 * Every environment key any Kindling component or script reads. A {@code KINDLING_*} key not in
 * this set fails start-up (see {@link EnvConfig#rejectUnknown}), so a typo is never ignored.
 * docs/configuration.md documents each; a test checks the components declare no other keys.
 */
public final class KnownKeys {
    public static final Set<String> ALL = Set.of(
            // every component
            "KINDLING_HOME", "KINDLING_LOG_LEVEL",
            "KINDLING_KAFKA_BOOTSTRAP_SERVERS", "KINDLING_TOPIC_PREFIX", "KINDLING_TOPIC_PARTITIONS",
            "KINDLING_TOPIC_REPLICATION_FACTOR",
            // every Kafka client (KafkaSecurity)
            "KINDLING_KAFKA_SECURITY_PROTOCOL", "KINDLING_KAFKA_SASL_MECHANISM", "KINDLING_KAFKA_SASL_USERNAME",
            "KINDLING_KAFKA_SASL_PASSWORD_FILE", "KINDLING_KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL",
            "KINDLING_KAFKA_SASL_OAUTHBEARER_CLIENT_ID", "KINDLING_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE",
            "KINDLING_KAFKA_SASL_OAUTHBEARER_SCOPE", "KINDLING_KAFKA_SSL_TRUSTSTORE_LOCATION",
            "KINDLING_KAFKA_SSL_TRUSTSTORE_TYPE", "KINDLING_KAFKA_SSL_TRUSTSTORE_PASSWORD_FILE",
            "KINDLING_KAFKA_SSL_KEYSTORE_LOCATION", "KINDLING_KAFKA_SSL_KEYSTORE_TYPE",
            "KINDLING_KAFKA_SSL_KEYSTORE_PASSWORD_FILE", "KINDLING_KAFKA_SSL_KEY_PASSWORD_FILE",
            "KINDLING_KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM", "KINDLING_KAFKA_PROPERTIES_FILE",
            // blob store (api, log-shipper)
            "KINDLING_BLOB_STORE", "KINDLING_BLOB_DIR", "KINDLING_AZURE_CONNECTION_STRING", "KINDLING_AZURE_CONTAINER",
            "KINDLING_AZURE_SERVICE_VERSION", "KINDLING_AZURE_ACCOUNT_URL", "KINDLING_AZURE_SAS_TOKEN_FILE",
            // api
            "KINDLING_HTTP_HOST", "KINDLING_HTTP_PORT", "KINDLING_MAX_REQUEST_BYTES", "KINDLING_MAX_ARTIFACT_BYTES",
            "KINDLING_AUTH_TOKENS_FILE", "KINDLING_AUTH_DISABLED", "KINDLING_OIDC_ISSUER", "KINDLING_OIDC_AUDIENCE",
            "KINDLING_OIDC_JWKS_URL", "KINDLING_OIDC_NAME_CLAIM", "KINDLING_OIDC_TENANTS_CLAIM", "KINDLING_OIDC_ROLES_CLAIM",
            "KINDLING_SUBMIT_RATE_PER_SECOND", "KINDLING_MAX_STREAMS_PER_PRINCIPAL", "KINDLING_MAX_STREAMS",
            "KINDLING_MAX_TAIL_LINES", "KINDLING_MAX_CONCURRENT_UPLOADS",
            // api: the web UI
            "KINDLING_UI_OIDC_CLIENT_ID", "KINDLING_UI_OIDC_SCOPE", "KINDLING_UI_HISTORY_SERVER_URL",
            // api: job store and retention (KINDLING_JOB_RETENTION_DAYS: every component that creates topics)
            "KINDLING_API_STORE_DIR", "KINDLING_API_CACHED_JOBS", "KINDLING_JOB_RETENTION_DAYS",
            // dispatcher (and the api, to refuse unknown pools)
            "KINDLING_POOLS", "KINDLING_CONFIG",
            // worker
            "KINDLING_WORKER_ID", "KINDLING_SECRETS_DIR", "KINDLING_WORKER_POOL", "KINDLING_WORKER_MAX_RUNNING", "KINDLING_SPARK_HOME",
            "KINDLING_WORKER_HEARTBEAT_SECONDS", "KINDLING_WORKER_LEASE_SECONDS",
            "KINDLING_SPARK_JAVA_HOME", "KINDLING_PYSPARK_PYTHON", "KINDLING_SPARK_MASTER",
            // worker and log-shipper
            "KINDLING_SPOOL_DIR",
            // log-shipper
            "KINDLING_SHIPPER_POLL_MILLIS", "KINDLING_SHIPPER_KEEP_SPOOL", "KINDLING_SHIPPER_SPOOL_WARN_BYTES",
            "KINDLING_SHIPPER_HEALTH_PORT", "KINDLING_SHIPPER_K8S_NAMESPACE",
            // embedded launcher
            "KINDLING_KAFKA_PORT", "KINDLING_EMBEDDED_KAFKA", "KINDLING_EMBEDDED_LOG_SHIPPER",
            // ./kindling and the test fixtures (read by scripts, allowed in a component's environment)
            "KINDLING_JAVA_HOME", "KINDLING_PROJECT_DIR", "KINDLING_TOOLS_DIR", "KINDLING_UP_TIMEOUT", "KINDLING_PYTHON",
            "KINDLING_JVM_DIR",
            // clients (the CLI, the Airflow provider): the token they send
            "KINDLING_TOKEN", "KINDLING_TOKEN_FILE");

    private KnownKeys() {
    }
}
