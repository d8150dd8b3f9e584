package io.kindling.schemas;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A request to run one Spark application, as submitted over HTTP or on the commands topic.
 * Validated against {@code job-spec.schema.json} before it becomes a record.
 */
public record JobSpec(
        String name,
        String pool,
        Application application,
        Map<String, String> conf,
        String idempotencyKey,
        Map<String, String> labels,
        List<String> pyFiles,
        List<String> jars,
        List<String> files,
        List<String> archives,
        List<String> packages,
        Map<String, String> env,
        Integer timeoutSeconds,
        Integer priority,
        RetryPolicy retry,
        Map<String, SecretRef> secretRefs,
        String tenant) {

    public static final String DEFAULT_POOL = "default";
    public static final String DEFAULT_TENANT = "default";
    /** A label key callers may not set: the tenant is the {@code tenant} field, set by the api from identity. */
    public static final String TENANT_LABEL = "tenant";

    public JobSpec {
        pool = pool == null ? DEFAULT_POOL : pool;
        tenant = tenant == null ? DEFAULT_TENANT : tenant;
        secretRefs = secretRefs == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new TreeMap<>(secretRefs));
        conf = sorted(conf);
        labels = sorted(labels);
        env = sorted(env);
        pyFiles = copy(pyFiles);
        jars = copy(jars);
        files = copy(files);
        archives = copy(archives);
        packages = copy(packages);
    }

    /** A spec without a tenant field (the tenant is {@value #DEFAULT_TENANT}, or set later with {@link #withTenant}). */
    public JobSpec(String name, String pool, Application application, Map<String, String> conf, String idempotencyKey,
            Map<String, String> labels, List<String> pyFiles, List<String> jars, List<String> files, List<String> archives,
            List<String> packages, Map<String, String> env, Integer timeoutSeconds, Integer priority, RetryPolicy retry,
            Map<String, SecretRef> secretRefs) {
        this(name, pool, application, conf, idempotencyKey, labels, pyFiles, jars, files, archives, packages, env,
                timeoutSeconds, priority, retry, secretRefs, null);
    }

    /** A spec without secret references. */
    public JobSpec(String name, String pool, Application application, Map<String, String> conf, String idempotencyKey,
            Map<String, String> labels, List<String> pyFiles, List<String> jars, List<String> files, List<String> archives,
            List<String> packages, Map<String, String> env, Integer timeoutSeconds, Integer priority, RetryPolicy retry) {
        this(name, pool, application, conf, idempotencyKey, labels, pyFiles, jars, files, archives, packages, env,
                timeoutSeconds, priority, retry, null, null);
    }

    /** The tenant that owns the job: the {@code tenant} field, else {@value #DEFAULT_TENANT}. */
    @Override
    public String tenant() {
        return tenant;
    }

    /** This spec owned by {@code value}. */
    public JobSpec withTenant(String value) {
        return new JobSpec(name, pool, application, conf, idempotencyKey, labels, pyFiles, jars, files, archives, packages,
                env, timeoutSeconds, priority, retry, secretRefs, value);
    }

    /** This spec with idempotency key {@code value}. */
    public JobSpec withIdempotencyKey(String value) {
        return new JobSpec(name, pool, application, conf, value, labels, pyFiles, jars, files, archives, packages,
                env, timeoutSeconds, priority, retry, secretRefs, tenant);
    }

    private static Map<String, String> sorted(Map<String, String> map) {
        return map == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(map));
    }

    private static List<String> copy(List<String> list) {
        return list == null ? List.of() : List.copyOf(list);
    }
}
