package io.kindling.worker.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.kindling.common.artifacts.ArtifactRef;
import io.kindling.common.pools.LaunchPolicy;
import io.kindling.common.pools.LaunchRefusedException;
import io.kindling.common.pools.LaunchRefusedException.Reason;
import io.kindling.schemas.Application;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.RunAssignment;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A job's {@code artifact://} URIs in a driver pod: an init container (the worker's image running
 * {@code io.kindling.worker.artifacts.FetchMain}) fetches them into an emptyDir shared with the
 * driver container, and spark-submit gets the local paths {@code /kindling/artifacts/<sha256>/<name>}.
 * The init container reads its blob store settings from the pool's {@code blobStoreSecret} through
 * {@code envFrom}: no setting is ever written into the manifest.
 */
final class DriverPodArtifacts {
    static final String FETCH_CONTAINER = "kindling-fetch-artifacts";
    static final String VOLUME = "kindling-artifacts";
    static final String DIR = "/kindling/artifacts";
    static final String FETCH_MAIN = "io.kindling.worker.artifacts.FetchMain";
    static final String CLASSPATH = "/app/resources:/app/classes:/app/libs/*";

    private final RunAssignment run;
    private final Set<String> uris = new LinkedHashSet<>();

    private DriverPodArtifacts(RunAssignment run) {
        this.run = run;
    }

    /** The run with every artifact URI replaced by its path in the pod, and the URIs the init container fetches. */
    static DriverPodArtifacts of(RunAssignment run) {
        return new DriverPodArtifacts(run);
    }

    /** {@code run} as the driver container sees it: artifact URIs become paths under {@value #DIR}. */
    RunAssignment localRun() throws LaunchRefusedException {
        JobSpec spec = run.spec();
        if (spec == null || spec.application() == null) {
            return run;
        }
        String tenant = run.tenant() != null ? run.tenant() : spec.tenant();
        Application app = spec.application();
        Application local = new Application(app.type(), local(app.file(), tenant), app.mainClass(), app.args());
        JobSpec resolved = new JobSpec(spec.name(), spec.pool(), local, spec.conf(), spec.idempotencyKey(),
                spec.labels(), local(spec.pyFiles(), tenant), local(spec.jars(), tenant), local(spec.files(), tenant),
                local(spec.archives(), tenant), spec.packages(), spec.env(), spec.timeoutSeconds(), spec.priority(),
                spec.retry(), spec.secretRefs()).withTenant(spec.tenant());
        return new RunAssignment(run.jobId(), run.attempt(), run.attemptId(), run.pool(), run.tenant(), resolved,
                run.assignedAt());
    }

    /** The artifact URIs found by {@link #localRun()}, in order, each once. */
    List<String> uris() {
        return List.copyOf(uris);
    }

    /** The init container fetching {@link #uris()}; the pool must name the Secret with the blob store settings. */
    static Container initContainer(DriverPodPoolConfig pool, List<String> uris) throws LaunchRefusedException {
        String secret = pool.artifacts().secretName();
        if (secret == null) {
            throw new LaunchRefusedException(Reason.ARTIFACT, "the job uses artifact:// URIs, but its pool sets no blobStoreSecret (the"
                    + " Kubernetes Secret with the blob store settings the driver pod fetches them with)");
        }
        List<String> args = new ArrayList<>(List.of(DIR));
        uris.forEach(u -> args.add(DriverCommand.kubeletLiteral(u)));
        return kindlingMain(pool, FETCH_CONTAINER, FETCH_MAIN, args)
                .addNewEnvFrom().withNewSecretRef().withName(secret).endSecretRef().endEnvFrom()
                .withNewResources()
                .addToRequests("cpu", new Quantity("100m"))
                .addToRequests("memory", new Quantity("256Mi"))
                .addToLimits("memory", new Quantity("512Mi"))
                .endResources()
                // the last lines of its output become the failure message of the attempt
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withVolumeMounts(mount(false))
                .build();
    }

    /**
     * A container of the Kindling image (the pool's {@code artifacts.image}, the worker's image) running
     * {@code java -cp} {@value #CLASSPATH} {@code mainClass args}: argv only, no shell.
     */
    static ContainerBuilder kindlingMain(DriverPodPoolConfig pool, String name, String mainClass, List<String> args) {
        List<String> argv = new ArrayList<>(List.of("-cp", CLASSPATH, mainClass));
        argv.addAll(args);
        return new ContainerBuilder()
                .withName(name)
                .withImage(pool.artifacts().image())
                .withImagePullPolicy(pool.imagePullPolicy())
                .withCommand("java")
                .withArgs(argv);
    }

    static Volume volume() {
        return new VolumeBuilder().withName(VOLUME).withNewEmptyDir().endEmptyDir().build();
    }

    static VolumeMount mount(boolean readOnly) {
        return new VolumeMountBuilder().withName(VOLUME).withMountPath(DIR).withReadOnly(readOnly ? true : null)
                .build();
    }

    private List<String> local(List<String> values, String tenant) throws LaunchRefusedException {
        List<String> out = new ArrayList<>(values.size());
        for (String value : values) {
            out.add(local(value, tenant));
        }
        return out;
    }

    private String local(String value, String tenant) throws LaunchRefusedException {
        if (!ArtifactRef.isArtifact(value)) {
            return value;
        }
        int hash = value.indexOf('#');
        String uri = hash < 0 ? value : value.substring(0, hash);
        ArtifactRef ref;
        try {
            ref = ArtifactRef.parse(uri);
        } catch (IllegalArgumentException e) {
            throw new LaunchRefusedException(Reason.ARTIFACT, "artifact URI '" + LaunchPolicy.printable(uri) + "' is invalid: "
                    + e.getMessage());
        }
        if (!ref.tenant().equals(tenant)) {
            throw new LaunchRefusedException(Reason.ARTIFACT, "artifact " + ref.uri() + " belongs to tenant '" + ref.tenant()
                    + "', not to the job's tenant '" + LaunchPolicy.printable(String.valueOf(tenant)) + "'");
        }
        uris.add(ref.uri());
        return DIR + "/" + ref.sha256() + "/" + ref.name() + (hash < 0 ? "" : value.substring(hash));
    }
}
