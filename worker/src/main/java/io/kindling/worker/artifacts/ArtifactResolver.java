package io.kindling.worker.artifacts;

import io.kindling.common.artifacts.ArtifactRef;
import io.kindling.schemas.Application;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.RunAssignment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites a run's {@code artifact://} URIs ({@code application.file}, {@code pyFiles},
 * {@code jars}, {@code files}, {@code archives}) to the local paths an {@link ArtifactFetcher}
 * fetched them to, before its spark-submit argv is built. A {@code #alias} suffix (as Spark allows
 * on archives and files) is kept. Every other value is left as it is.
 */
public final class ArtifactResolver {
    private final ArtifactFetcher fetcher;

    public ArtifactResolver(ArtifactFetcher fetcher) {
        this.fetcher = fetcher;
    }

    /** {@code run} with each artifact URI replaced by its local path; the same run if it names none. */
    public RunAssignment resolve(RunAssignment run) throws ArtifactException, InterruptedException {
        JobSpec spec = run.spec();
        if (spec == null || !usesArtifacts(spec)) {
            return run;
        }
        String tenant = run.tenant() != null ? run.tenant() : spec.tenant();
        Application app = spec.application();
        Application resolvedApp = new Application(app.type(), local(app.file(), tenant), app.mainClass(), app.args());
        JobSpec resolved = new JobSpec(spec.name(), spec.pool(), resolvedApp, spec.conf(), spec.idempotencyKey(),
                spec.labels(), local(spec.pyFiles(), tenant), local(spec.jars(), tenant), local(spec.files(), tenant),
                local(spec.archives(), tenant), spec.packages(), spec.env(), spec.timeoutSeconds(), spec.priority(),
                spec.retry(), spec.secretRefs()).withTenant(spec.tenant());
        return new RunAssignment(run.jobId(), run.attempt(), run.attemptId(), run.pool(), run.tenant(), resolved,
                run.assignedAt());
    }

    /** True if the spec names at least one artifact. */
    public static boolean usesArtifacts(JobSpec spec) {
        return (spec.application() != null && ArtifactRef.isArtifact(spec.application().file()))
                || anyArtifact(spec.pyFiles()) || anyArtifact(spec.jars()) || anyArtifact(spec.files())
                || anyArtifact(spec.archives());
    }

    private static boolean anyArtifact(List<String> values) {
        return values.stream().anyMatch(ArtifactRef::isArtifact);
    }

    private List<String> local(List<String> values, String tenant) throws ArtifactException, InterruptedException {
        List<String> out = new ArrayList<>(values.size());
        for (String value : values) {
            out.add(local(value, tenant));
        }
        return out;
    }

    private String local(String value, String tenant) throws ArtifactException, InterruptedException {
        if (!ArtifactRef.isArtifact(value)) {
            return value;
        }
        int hash = value.indexOf('#');
        String uri = hash < 0 ? value : value.substring(0, hash);
        Path path = fetcher.fetch(uri, tenant);
        return path + (hash < 0 ? "" : value.substring(hash));
    }
}
