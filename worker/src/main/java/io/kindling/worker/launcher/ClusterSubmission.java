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
 */
public final class ClusterSubmission {
    private static final Pattern YARN_APP = Pattern.compile("\\b(application_\\d+_\\d+)\\b");
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

    /** The argv that kills the application {@code ids} (never a shell). */
    public static List<String> killCommand(SparkSubmitConfig config, Ids ids, Map<String, String> workerEnv) {
        List<String> argv = new ArrayList<>();
        if (config.clusterManager() == SparkSubmitConfig.ClusterManager.YARN) {
            String home = workerEnv.getOrDefault("YARN_HOME", workerEnv.get("HADOOP_HOME"));
            argv.add(home == null ? "yarn" : Path.of(home, "bin", "yarn").toString());
            argv.addAll(List.of("application", "-kill", ids.submissionId()));
        } else {
            argv.addAll(List.of(config.sparkSubmit().toString(), "--master", config.master(), "--kill", ids.submissionId()));
        }
        return argv;
    }
}
