package io.kindling.worker;

import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.RunAssignment;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Run assignments for tests. */
public final class Runs {
    private Runs() {
    }

    public static RunAssignment python(String jobId, String pool, String file, String... args) {
        return of(jobId, pool, new Application(ApplicationType.PYTHON, file, null, List.of(args)), Map.of(), Map.of());
    }

    public static RunAssignment of(String jobId, String pool, Application app, Map<String, String> conf,
            Map<String, String> env) {
        JobSpec spec = new JobSpec(null, pool, app, conf, null, Map.of(), null, null, null, null, null, env, null, null, null);
        return RunAssignment.of(jobId, 1, spec, Instant.parse("2025-01-01T00:00:00Z"));
    }

    public static JobSpec withLists(JobSpec spec, List<String> pyFiles, List<String> jars, List<String> files,
            List<String> archives, List<String> packages) {
        return new JobSpec(spec.name(), spec.pool(), spec.application(), spec.conf(), spec.idempotencyKey(),
                spec.labels(), pyFiles, jars, files, archives, packages, spec.env(), spec.timeoutSeconds(),
                spec.priority(), spec.retry());
    }

    /** {@code run} owned by {@code tenant} (the spec's {@code tenant} field). */
    public static RunAssignment withTenant(RunAssignment run, String tenant) {
        return RunAssignment.of(run.jobId(), run.attempt(), run.spec().withTenant(tenant), run.assignedAt());
    }

    /** {@code run} with {@code refs} as its secret references. */
    public static RunAssignment withSecretRefs(RunAssignment run, java.util.Map<String, io.kindling.schemas.SecretRef> refs) {
        JobSpec s = run.spec();
        JobSpec spec = new JobSpec(s.name(), s.pool(), s.application(), s.conf(), s.idempotencyKey(), s.labels(),
                s.pyFiles(), s.jars(), s.files(), s.archives(), s.packages(), s.env(), s.timeoutSeconds(), s.priority(),
                s.retry(), refs, s.tenant());
        return RunAssignment.of(run.jobId(), run.attempt(), spec, run.assignedAt());
    }
}
