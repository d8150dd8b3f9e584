package io.kindling.worker.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What spark-submit prints about an application it handed to a cluster manager, and how to kill
 * that application again: in cluster mode (and on YARN in any mode) stopping spark-submit does not
 * stop the driver.
 * <ul>
 *   <li>YARN: {@code Submitted application application_<ts>_<n>}; killed with {@code yarn application -kill <id>}
 *       ({@code $YARN_HOME/bin/yarn}, else {@code $HADOOP_HOME/bin/yarn}, else {@code yarn} on the PATH)</li>
 *   <li>Kubernetes: {@code Deployed Spark application <name> with application ID spark-<hex> and submission ID
 *       <namespace>:<driver pod> into Kubernetes}; killed with {@code spark-submit --master k8s://... --kill <namespace>:<pod>}</li>
 *   <li>standalone cluster mode: {@code Submission successfully created as driver-<ts>-<n>} (REST) or
 *       {@code Driver successfully submitted as driver-<ts>-<n>}; killed with {@code spark-submit --master ... --kill <driver id>}</li>
 * </ul>
 *
 * <p>Which application to kill is never taken from what a driver may print: on YARN every
 * submission carries the tags {@code kindling-job-<jobId>} and {@code kindling-attempt-<attemptId>}
 * ({@code spark.yarn.tags}, which jobs cannot set), and the kill lists the applications with the
 * attempt's tag ({@code yarn application -list -appTags}) and kills those. On Kubernetes the driver
 * pod's name is derived from the attempt id. So a retry can also find and kill what an earlier
 * attempt of the same job left running on the cluster when its worker host died
 * ({@link #orphanKills}).
 */
public final class ClusterSubmission {
    /** spark-submit's own line ({@code Client: Submitted application ...}); the id reported, never the one killed. */
    private static final Pattern YARN_APP = Pattern.compile("Submitted application (application_\\d+_\\d+)\\b");
    private static final Pattern YARN_LISTED = Pattern.compile("(?m)^\\s*(application_\\d+_\\d+)\\s");
    private static final Pattern TAG_CHARS = Pattern.compile("[a-z0-9._-]{1,80}");
    /** The YARN states of an application that still runs or may still start. */
    static final String YARN_LIVE_STATES = "NEW,NEW_SAVING,SUBMITTED,ACCEPTED,RUNNING";
    private static final Pattern K8S = Pattern.compile(
            "with application ID (\\S+) and submission ID ([a-z0-9.-]+:[a-z0-9.-]+)");
    private static final Pattern STANDALONE_DRIVER = Pattern.compile("\\b(driver-\\d{14}-\\d{4,})\\b");

    /** The application as the cluster manager knows it: the id reported, the id {@code --kill} takes. */
    public record Ids(String appId, String submissionId) {
    }

    private ClusterSubmission() {
    }

    /** The ids found in spark-submit's output {@code text}, for the cluster manager of {@code config}. */
    public static Optional<Ids> find(SparkSubmitConfig.ClusterManager manager, CharSequence text) {
        Matcher m;
        switch (manager) {
            case YARN -> {
                m = YARN_APP.matcher(text);
                return m.find() ? Optional.of(new Ids(m.group(1), m.group(1))) : Optional.empty();
            }
            case KUBERNETES -> {
                m = K8S.matcher(text);
                return m.find() ? Optional.of(new Ids(m.group(1), m.group(2))) : Optional.empty();
            }
            case STANDALONE -> {
                m = STANDALONE_DRIVER.matcher(text);
                return m.find() ? Optional.of(new Ids(m.group(1), m.group(1))) : Optional.empty();
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    /** True when stopping spark-submit does not stop the application, so cancel must also kill it on the cluster. */
    public static boolean needsClusterKill(SparkSubmitConfig config) {
        return switch (config.clusterManager()) {
            case LOCAL -> false;
            case YARN -> true;
            case KUBERNETES, STANDALONE -> config.clusterMode();
        };
    }

    /** The YARN tag of every attempt of {@code jobId}: {@code kindling-job-<jobId>} (hashed when not tag-safe). */
    public static String yarnJobTag(String jobId) {
        return "kindling-job-" + tagSafe(jobId);
    }

    /** The YARN tag of one attempt: {@code kindling-attempt-<attemptId>}. */
    public static String yarnAttemptTag(String attemptId) {
        return "kindling-attempt-" + tagSafe(attemptId);
    }

    private static String tagSafe(String value) {
        if (TAG_CHARS.matcher(value).matches()) {
            return value;
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "h" + java.util.HexFormat.of().formatHex(digest, 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The argv listing the live YARN applications tagged {@code tag} (read with {@link #yarnApplicationIds}). */
    public static List<String> yarnListCommand(SparkSubmitConfig config, String tag, Map<String, String> workerEnv) {
        List<String> argv = new ArrayList<>(List.of(yarn(workerEnv)));
        argv.addAll(List.of("application", "-list", "-appStates", YARN_LIVE_STATES, "-appTags", tag));
        return argv;
    }

    /** The application ids in the output of {@code yarn application -list}. */
    public static List<String> yarnApplicationIds(String listOutput) {
        List<String> ids = new ArrayList<>();
        Matcher m = YARN_LISTED.matcher(listOutput);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    /** The argv that kills YARN application {@code id}. */
    public static List<String> yarnKillCommand(String id, Map<String, String> workerEnv) {
        return List.of(yarn(workerEnv), "application", "-kill", id);
    }

    private static String yarn(Map<String, String> workerEnv) {
        String home = workerEnv.getOrDefault("YARN_HOME", workerEnv.get("HADOOP_HOME"));
        return home == null ? "yarn" : Path.of(home, "bin", "yarn").toString();
    }

    /**
     * The driver pod name spark-submit gives attempt {@code attemptId} on a Kubernetes cluster-mode pool
     * ({@code spark.kubernetes.driver.pod.name}), the same as a driver-pod pool's.
     */
    public static String kubernetesDriverPod(String attemptId) {
        return io.kindling.worker.k8s.DriverPodNames.of(attemptId).driverPod();
    }

    /** The namespace a Kubernetes cluster-mode submission of {@code conf} (pool then job conf) goes to. */
    public static String kubernetesNamespace(Map<String, String> poolConf, Map<String, String> jobConf) {
        return jobConf.getOrDefault("spark.kubernetes.namespace", poolConf.getOrDefault("spark.kubernetes.namespace",
                "default"));
    }

    /**
     * The commands that kill what earlier attempts (1 .. {@code attempt}-1) of {@code run}'s job may have left
     * running on the cluster of a Kubernetes cluster-mode pool: {@code spark-submit --kill <ns>:<driver pod>} each.
     */
    public static List<List<String>> orphanKills(SparkSubmitConfig config, io.kindling.schemas.RunAssignment run) {
        List<List<String>> kills = new ArrayList<>();
        if (config.clusterManager() != SparkSubmitConfig.ClusterManager.KUBERNETES || !config.clusterMode()) {
            return kills;
        }
        String namespace = kubernetesNamespace(config.poolConf(), run.spec().conf());
        for (int earlier = 1; earlier < run.attempt(); earlier++) {
            String attemptId = io.kindling.schemas.AttemptId.of(run.jobId(), earlier);
            kills.add(List.of(config.sparkSubmit().toString(), "--master", config.master(), "--kill",
                    namespace + ":" + kubernetesDriverPod(attemptId)));
        }
        return kills;
    }

    /** The argv that kills the application {@code ids} (never a shell). */
    public static List<String> killCommand(SparkSubmitConfig config, Ids ids, Map<String, String> workerEnv) {
        if (config.clusterManager() == SparkSubmitConfig.ClusterManager.YARN) {
            return yarnKillCommand(ids.submissionId(), workerEnv);
        }
        return List.of(config.sparkSubmit().toString(), "--master", config.master(), "--kill", ids.submissionId());
    }
}
