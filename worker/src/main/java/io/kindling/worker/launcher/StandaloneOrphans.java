package io.kindling.worker.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the drivers that earlier attempts of a job left running on a standalone master (their
 * worker host died with the follower that would have killed them). The master assigns driver ids
 * itself, so they are found by what the worker put into every submission: the Spark worker that
 * runs a driver writes its launch command at the head of the driver's stderr
 * ({@code Launch Command: "java" ... "-Dspark.kindling.jobId=<job id>" ...}), readable through its
 * log endpoint. Only the master's active drivers are looked at, and of those only the ones with the
 * job's main class (the master's {@code mainclass}).
 */
final class StandaloneOrphans {
    /** How much of a driver's stderr holds its launch command (the class path is in it). */
    private static final int LAUNCH_COMMAND_BYTES = 128 * 1024;
    private static final String LAUNCH_COMMAND = "Launch Command:";

    private final StandaloneMasterUi master;
    private final SparkWorkerLogPage logs;

    StandaloneOrphans(StandaloneMasterUi master, SparkWorkerLogPage logs) {
        this.master = master;
        this.logs = logs;
    }

    /**
     * What is active on the master: {@code drivers} of job {@code jobId}; {@code undecided} drivers that
     * may be (same main class) but show no launch command yet (waiting for a Spark worker, or their log
     * unreadable), with why.
     */
    record Found(List<String> drivers, List<String> undecided) {
    }

    Found find(String jobId, String mainClass) throws IOException, InterruptedException {
        JsonNode state = master.state();
        List<String> drivers = new ArrayList<>();
        List<String> undecided = new ArrayList<>();
        String tag = "\"-Dspark.kindling.jobId=" + jobId + "\"";
        for (StandaloneMasterUi.Driver d : master.activeDrivers(state)) {
            if (mainClass != null && !d.mainClass().isEmpty() && !d.mainClass().equals(mainClass)) {
                continue;
            }
            Optional<String> ui = d.worker() == null ? Optional.empty() : StandaloneMasterUi.workerUi(state, d.worker());
            if (ui.isEmpty()) {
                undecided.add(d.id() + " (" + d.state() + ", no Spark worker yet)");
                continue;
            }
            String head;
            try {
                SparkWorkerLogPage.Chunk chunk = logs.read(ui.get(), d.id(), "stderr", 0, LAUNCH_COMMAND_BYTES);
                head = new String(chunk.text(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                undecided.add(d.id() + " (its stderr on " + ui.get() + " is unreadable: " + e.getMessage() + ")");
                continue;
            }
            if (head.contains(tag)) {
                drivers.add(d.id());
            } else if (!head.contains(LAUNCH_COMMAND)) {
                undecided.add(d.id() + " (no launch command in its stderr on " + ui.get() + " yet)");
            }
        }
        return new Found(drivers, undecided);
    }

    /** The ids among {@code ids} that the master still lists as active. */
    List<String> stillActive(List<String> ids) throws IOException, InterruptedException {
        List<String> active = new ArrayList<>();
        for (StandaloneMasterUi.Driver d : master.activeDrivers(master.state())) {
            if (ids.contains(d.id())) {
                active.add(d.id());
            }
        }
        return active;
    }
}
