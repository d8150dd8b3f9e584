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
            // blob store (api, log-shipper)
            "KINDLING_BLOB_STORE", "KINDLING_BLOB_DIR", "KINDLING_AZURE_CONNECTION_STRING", "KINDLING_AZURE_CONTAINER",
            "KINDLING_AZURE_SERVICE_VERSION",
            // api
            "KINDLING_HTTP_HOST", "KINDLING_HTTP_PORT", "KINDLING_MAX_REQUEST_BYTES", "KINDLING_MAX_ARTIFACT_BYTES",
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
            "KINDLING_JVM_DIR");

    private KnownKeys() {
    }
}
