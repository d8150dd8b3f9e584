package io.kindling.worker.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import io.kindling.worker.shim.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Follows a standalone cluster-mode driver's stdout and stderr from the log endpoint of the Spark
 * worker that runs it ({@link SparkWorkerLogPage}; the master's {@code /json/} names that worker,
 * {@link StandaloneMasterUi}) into the attempt's spool files, so that no shared filesystem is
 * needed. {@link #poll} copies the complete lines written since the last call; {@link #drain},
 * once the driver has ended, copies the rest. Progress is saved in {@code driver.json}
 * ({@link DriverLogRecord}) after every copy, so a follower started again resumes at the exact byte.
 *
 * <p>An unreachable worker is said once per outage in the stderr stream and tried again at the
 * next poll (nothing is lost while the worker keeps the log). What cannot be read by the end is
 * named in the stderr stream as a gap, never dropped silently.
 */
final class DriverLogFollower {
    /** Chunks read per stream and poll: a poll copies at most this many times {@link SparkWorkerLogPage#MAX_CHUNK}. */
    private static final int CHUNKS_PER_POLL = 16;

    private final StandaloneMasterUi master;
    private final SparkWorkerLogPage logs;
    private final String driverId;
    private final Path record;
    private final DriverLogCopy stdout;
    private final DriverLogCopy stderr;
    private String workerUi;
    private String failing;

    DriverLogFollower(StandaloneMasterUi master, SparkWorkerLogPage logs, String driverId, Path attemptDir,
            DriverLogRecord saved) throws IOException {
        this.master = master;
        this.logs = logs;
        this.driverId = driverId;
        this.record = attemptDir.resolve(DriverLogRecord.FILE);
        this.stdout = DriverLogCopy.resume("stdout", attemptDir.resolve("stdout"), saved == null ? null : saved.stdout());
        this.stderr = DriverLogCopy.resume("stderr", attemptDir.resolve("stderr"), saved == null ? null : saved.stderr());
        save(stdout.position(), stderr.position());
    }

    /** Copies what the driver wrote since the last call, complete lines only; a failure is said once and tried again. */
    synchronized void poll() throws InterruptedException {
        try {
            Optional<String> ui = workerUi();
            if (ui.isEmpty()) {
                return;
            }
            copy(ui.get(), stdout, false);
            copy(ui.get(), stderr, false);
            failing = null;
        } catch (IOException e) {
            workerUi = null;
            String problem = String.valueOf(e.getMessage());
            if (!problem.equals(failing)) {
                failing = problem;
                notice("kindling: cannot read the logs of driver " + driverId + " from its Spark worker yet (" + problem
                        + "); trying again at the next poll");
            }
        }
    }

    /**
     * The driver has ended: copies the rest of both logs, partial last lines included, trying for at
     * most {@code patience}; whatever could not be read is named in the stderr stream as a gap.
     */
    synchronized void drain(Duration patience, Duration pause) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        String problem = null;
        boolean sawEnd = false;
        while (true) {
            try {
                Optional<String> ui = workerUi();
                if (ui.isEmpty() && neverRan()) {
                    notice("kindling: driver " + driverId + " never ran on a Spark worker; it has no log");
                    return;
                } else if (ui.isEmpty()) {
                    problem = "the master names no Spark worker for driver " + driverId;
                } else {
                    boolean atEnd = copy(ui.get(), stdout, true) & copy(ui.get(), stderr, true);
                    if (atEnd && sawEnd) {
                        return;
                    }
                    // the Spark worker may still be writing what the driver printed last: look once more
                    sawEnd = atEnd;
                    problem = null;
                }
            } catch (IOException e) {
                workerUi = null;
                sawEnd = false;
                problem = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(pause.toMillis());
        }
        if (sawEnd) {
            return;
        }
        for (DriverLogCopy copy : List.of(stdout, stderr)) {
            notice("kindling: LOG GAP: the " + copy.stream() + " of driver " + driverId + " could not be read to its end"
                    + " from its Spark worker" + (workerUi == null ? "" : " at " + workerUi) + " within "
                    + patience.toSeconds() + " s (" + problem + "); what it wrote from byte " + copy.offset()
                    + " on is missing here");
        }
    }

    /** A line of Kindling's own in the stderr stream (its position saved first, so a resume never takes it for the driver's). */
    synchronized void notice(String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            save(stdout.position(), stderr.positionAfterNotice(bytes.length));
            stderr.appendNotice(bytes);
        } catch (IOException e) {
            System.err.println(line + " (and cannot write the spool: " + e + ")");
        }
    }

    /** Copies new bytes of one stream; true when its log has nothing more for now. */
    private boolean copy(String ui, DriverLogCopy copy, boolean drain) throws IOException, InterruptedException {
        for (int i = 0; i < CHUNKS_PER_POLL || drain; i++) {
            int asked = SparkWorkerLogPage.MAX_CHUNK;
            SparkWorkerLogPage.Chunk chunk = logs.read(ui, driverId, copy.stream(), copy.offset(), asked);
            if (chunk.length() < copy.offset()) {
                long missing = copy.offset() - chunk.length();
                notice("kindling: LOG GAP: the Spark worker's " + copy.stream() + " of driver " + driverId + " now has "
                        + chunk.length() + " bytes, fewer than the " + copy.offset() + " already copied (rolled over or"
                        + " removed?); " + missing + " bytes may be missing or repeated here");
                copy.append(new byte[0], 0, chunk.length());
                save(stdout.position(), stderr.position());
                return true;
            }
            int used = SparkWorkerLogPage.usable(chunk, asked, drain);
            if (used > 0) {
                copy.append(chunk.text(), used, SparkWorkerLogPage.offsetAfter(chunk, used));
                save(stdout.position(), stderr.position());
            }
            if (chunk.atEnd() || used == 0) {
                return chunk.atEnd() && copy.offset() >= chunk.length();
            }
        }
        return false;
    }

    /** True when the master knows the driver but it never got a Spark worker. */
    private boolean neverRan() throws IOException, InterruptedException {
        return master.driver(master.state(), driverId).map(d -> d.worker() == null).orElse(false);
    }

    /** The UI of the Spark worker that runs the driver, once the master names one. */
    private Optional<String> workerUi() throws IOException, InterruptedException {
        if (workerUi == null) {
            JsonNode state = master.state();
            Optional<StandaloneMasterUi.Driver> driver = master.driver(state, driverId);
            if (driver.isEmpty() || driver.get().worker() == null) {
                return Optional.empty();
            }
            workerUi = StandaloneMasterUi.workerUi(state, driver.get().worker()).orElseThrow(() -> new IOException(
                    "the master lists no web UI for Spark worker " + driver.get().worker() + " of driver " + driverId));
        }
        return Optional.of(workerUi);
    }

    private void save(DriverLogRecord.Position out, DriverLogRecord.Position err) throws IOException {
        AtomicFiles.writeJson(record, new DriverLogRecord(driverId, out, err));
    }
}
