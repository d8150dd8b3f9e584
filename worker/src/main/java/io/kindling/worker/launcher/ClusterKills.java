package io.kindling.worker.launcher;

import io.kindling.schemas.RunAssignment;
import io.kindling.worker.shim.AttemptShim;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster manager commands of a spark-submit pool ({@link ClusterSubmission} builds their
 * argv): killing a cancelled attempt's application on its cluster, and, before a retry, whatever
 * earlier attempts of the job left running there (on YARN by tag, on Kubernetes by driver pod name, on a
 * standalone master by the job id in each driver's launch command). Each runs without a shell, with the kill
 * environment only, at most {@value #TIMEOUT_SECONDS} s; its output goes to the attempt's shim log.
 */
final class ClusterKills {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterKills.class);
    static final long TIMEOUT_SECONDS = 60;
    private static final Duration CLUSTER_KILL = Duration.ofSeconds(TIMEOUT_SECONDS);

    private final SparkSubmitConfig config;
    private final Map<String, String> workerEnv;
    private final Map<String, String> killEnvironment;

    ClusterKills(SparkSubmitConfig config, Map<String, String> workerEnv, Map<String, String> killEnvironment) {
        this.config = config;
        this.workerEnv = Map.copyOf(workerEnv);
        this.killEnvironment = Map.copyOf(killEnvironment);
    }

    /**
     * Kills the application on its cluster manager (stopping spark-submit alone would leave it
     * running there); the command's output goes to the shim log. On YARN the applications are
     * found by the attempt's tag, never by an id a driver could have printed; in standalone cluster
     * mode with the driver id its follower recorded ({@code driver.json}); elsewhere with the ids
     * spark-submit printed (before any line of the driver's, which runs on the cluster).
     */
    void killOnCluster(ShimApp app, Path dir) throws InterruptedException {
        String attemptId = app.run().attemptId();
        try {
            if (config.clusterManager() == SparkSubmitConfig.ClusterManager.YARN) {
                List<String> killed = killYarnTagged(ClusterSubmission.yarnAttemptTag(attemptId), dir);
                if (killed.isEmpty()) {
                    LOG.warn("{}: YARN lists no live application tagged {}; only spark-submit is stopped", attemptId,
                            ClusterSubmission.yarnAttemptTag(attemptId));
                }
                return;
            }
            Optional<ClusterSubmission.Ids> ids = recordedDriver(dir).or(app::clusterIds);
            if (ids.isEmpty()) {
                LOG.warn("{}: spark-submit has not printed the application's id yet; only spark-submit is stopped",
                        attemptId);
                return;
            }
            CommandResult kill = runClusterCommand(ClusterSubmission.killCommand(config, ids.get(), workerEnv), dir);
            LOG.info("{}: {} ended with code {}", attemptId, kill.argv(), kill.exitCode());
        } catch (IOException e) {
            LOG.warn("{}: cannot kill the application on its cluster: {}", attemptId, e.toString());
        }
    }

    /** Standalone cluster mode: the driver id the follower recorded in {@code driver.json}, if it did. */
    private static Optional<ClusterSubmission.Ids> recordedDriver(Path dir) {
        return io.kindling.worker.shim.AtomicFiles.readJson(dir.resolve(DriverLogRecord.FILE), DriverLogRecord.class)
                .map(DriverLogRecord::driverId).map(id -> new ClusterSubmission.Ids(id, id));
    }

    /**
     * Before attempt N (> 1) of a job starts on a cluster, kills whatever its earlier attempts left
     * running there (a worker host that died leaves its cluster-mode application behind): on YARN
     * every live application tagged with the job's tag, on Kubernetes the earlier attempts' driver
     * pods, on a standalone master (cluster mode) the active drivers launched for the job. Returns why the launch must wait (fenced) when that cannot be made sure of.
     */
    Optional<String> killOrphans(RunAssignment run, Path dir) throws InterruptedException {
        try {
            switch (config.clusterManager()) {
                case YARN -> {
                    String tag = ClusterSubmission.yarnJobTag(run.jobId());
                    List<String> killed = killYarnTagged(tag, dir);
                    if (!killed.isEmpty()) {
                        LOG.info("{}: killed {} left running by an earlier attempt", run.attemptId(), killed);
                        List<String> left = listYarnTagged(tag, dir);
                        if (!left.isEmpty()) {
                            return Optional.of("applications " + left + " of an earlier attempt still run on YARN after"
                                    + " being killed; not starting " + run.attemptId() + " beside them");
                        }
                    }
                }
                case KUBERNETES -> {
                    for (List<String> kill : ClusterSubmission.orphanKills(config, run)) {
                        CommandResult result = runClusterCommand(kill, dir);
                        if (result.exitCode() != 0) {
                            return Optional.of("cannot make sure the driver pod " + kill.get(kill.size() - 1)
                                    + " of an earlier attempt is gone (spark-submit --kill exited with "
                                    + result.exitCode() + "); not starting " + run.attemptId() + " beside it");
                        }
                    }
                }
                case STANDALONE -> {
                    if (config.clusterMode()) {
                        return killStandaloneOrphans(run, dir);
                    }
                }
                default -> {
                    // a local master: nothing outlives spark-submit
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot make sure no earlier attempt of " + run.jobId() + " still runs on the cluster: "
                    + e.getMessage());
        }
    }

    /**
     * Standalone cluster mode: kills the drivers earlier attempts of the job left active on the master
     * ({@link StandaloneOrphans} finds them by the job id in their launch command), with
     * {@code spark-submit --master <pool master> --kill <driver id>}, and waits until the master no longer
     * lists them as active. Refuses (fences) while a driver that may be the job's cannot be told apart yet.
     */
    private Optional<String> killStandaloneOrphans(RunAssignment run, Path dir) throws IOException, InterruptedException {
        String mainClass = run.spec() == null || run.spec().application() == null ? null
                : run.spec().application().mainClass();
        StandaloneOrphans.Found found = standaloneOrphans().find(run.jobId(), mainClass);
        if (!found.undecided().isEmpty()) {
            return Optional.of("cannot tell whether " + String.join(", ", found.undecided()) + " on the standalone master "
                    + config.masterWebUiUrl() + " belongs to an earlier attempt of " + run.jobId() + "; not starting "
                    + run.attemptId() + " beside it");
        }
        if (found.drivers().isEmpty()) {
            return Optional.empty();
        }
        for (String id : found.drivers()) {
            CommandResult kill = runClusterCommand(
                    ClusterSubmission.killCommand(config, new ClusterSubmission.Ids(id, id), workerEnv), dir);
            LOG.info("{}: killing {} left running by an earlier attempt: {} ended with code {}", run.attemptId(), id,
                    kill.argv(), kill.exitCode());
        }
        long deadline = System.nanoTime() + CLUSTER_KILL.toNanos();
        List<String> left = standaloneOrphans().stillActive(found.drivers());
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            left = standaloneOrphans().stillActive(found.drivers());
        }
        if (!left.isEmpty()) {
            return Optional.of("drivers " + left + " of an earlier attempt still run on the standalone master after being"
                    + " killed; not starting " + run.attemptId() + " beside them");
        }
        LOG.info("{}: the master no longer runs {} of an earlier attempt", run.attemptId(), found.drivers());
        return Optional.empty();
    }

    private StandaloneOrphans standaloneOrphans() {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        return new StandaloneOrphans(new StandaloneMasterUi(http, config.masterWebUiUrl()), new SparkWorkerLogPage(http));
    }

    /** Kills the live YARN applications tagged {@code tag}; their ids. */
    private List<String> killYarnTagged(String tag, Path dir) throws IOException, InterruptedException {
        List<String> ids = listYarnTagged(tag, dir);
        for (String id : ids) {
            CommandResult kill = runClusterCommand(ClusterSubmission.yarnKillCommand(id, workerEnv), dir);
            if (kill.exitCode() != 0) {
                throw new IOException("yarn application -kill " + id + " exited with " + kill.exitCode());
            }
        }
        return ids;
    }

    private List<String> listYarnTagged(String tag, Path dir) throws IOException, InterruptedException {
        CommandResult list = runClusterCommand(ClusterSubmission.yarnListCommand(config, tag, workerEnv), dir);
        if (list.exitCode() != 0) {
            throw new IOException("yarn application -list exited with " + list.exitCode());
        }
        return ClusterSubmission.yarnApplicationIds(list.output());
    }

    private record CommandResult(List<String> argv, int exitCode, String output) {
    }

    /** Runs a cluster manager command (never through a shell) with the kill environment; its output also goes to the shim log. */
    private CommandResult runClusterCommand(List<String> argv, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path out = Files.createTempFile(dir, "cluster-", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(argv).directory(dir.toFile())
                    .redirectOutput(out.toFile()).redirectErrorStream(true);
            builder.environment().clear();
            builder.environment().putAll(killEnvironment);
            Process process = builder.start();
            if (!process.waitFor(CLUSTER_KILL.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(argv.get(0) + " did not end within " + CLUSTER_KILL.toSeconds() + " s");
            }
            String output = Files.readString(out, java.nio.charset.StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(AttemptShim.SHIM_LOG), "$ " + String.join(" ", argv) + "\n" + output,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            return new CommandResult(argv, process.exitValue(), output);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
