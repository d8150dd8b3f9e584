package io.kindling.worker;

import io.kindling.common.spool.FreeAttemptDirs;
import io.kindling.common.spool.SpoolAttempt;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.shim.AtomicFiles;
import io.kindling.worker.shim.AttemptShim;
import io.kindling.worker.shim.EventLogs;
import io.kindling.worker.shim.ExitRecord;
import io.kindling.worker.shim.FailureMessage;
import io.kindling.worker.shim.ShimExit;
import io.kindling.worker.shim.ShimInfo;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The one owner of an attempt's spool protocol (see {@link SpoolLayout}); every other class of the
 * worker reads and writes these files through it, the log-shipper only reads {@code attempt.json}
 * and {@code exit.json}:
 * <ul>
 *   <li>{@code attempt.json}: the attempt and its assignment, written (and synced) before the launch,
 *       so that a restarted worker can adopt it (a spool of an earlier version keeps the assignment
 *       apart, in {@code run.json}, still read); into a directory the log-shipper kept
 *       ({@link FreeAttemptDirs}) when there is one, else a new one;
 *   <li>{@code work/}, {@code eventlog/}: made just before the launch ({@link #prepareLaunch});
 *   <li>{@code lease}: its modification time is the attempt's lease, renewed here, watched by the
 *       attempt's {@link AttemptShim} (which fences the driver when it runs out). The worker's guard
 *       writes it on its first round after a report later than SUBMITTING is acknowledged, while the
 *       driver runs; until then the shim counts the lease from its own start (so an attempt that
 *       ends at once never has one);
 *   <li>{@code shim.json}: written by the shim once spark-submit is exec'd ({@link #shim});
 *   <li>{@code stop.json}: why the worker stopped it;
 *   <li>{@code .exits/<attemptId>.json}: the exit record, written by the shim when spark-submit has
 *       ended (or by nobody, when the shim vanished); its copy is kept (renamed {@code .reported})
 *       once the end is acknowledged;
 *   <li>{@code exit.json}: written here, last, from the exit record completed with what the shim
 *       cannot know ({@link #exit}: the failure message, the Spark app id); once it exists the
 *       log-shipper ships the files and removes the directory;
 *   <li>{@code reported}: the end report was acknowledged; a second name (a hard link) of
 *       {@code exit.json}, so that marking it makes no new file.
 * </ul>
 * The states an attempt's directory goes through: assigned ({@code attempt.json}) → launched
 * ({@code shim.json}) → ended ({@code .exits} record) → closed ({@code exit.json}) → reported.
 * Each JSON file is written whole and renamed into place.
 */
public final class AttemptSpool {
    static final String LEGACY_RUN_FILE = "run.json";
    static final String STOP_FILE = "stop.json";
    static final String REPORTED_FILE = "reported";
    static final String REPORTED_SUFFIX = ".reported";

    private final SpoolLayout layout;
    /** Shipped directories the log-shipper kept: a new attempt takes one instead of making one. */
    private final FreeAttemptDirs free;

    public AttemptSpool(SpoolLayout layout) {
        this.layout = layout;
        this.free = new FreeAttemptDirs(layout, 0);
    }

    public SpoolLayout layout() {
        return layout;
    }

    public Path dir(String attemptId) {
        return layout.attemptDir(attemptId);
    }

    /** Makes the driver's working and event log directories; removes a {@code shim.json} an earlier try left. */
    public void prepareLaunch(String attemptId) throws IOException {
        Files.createDirectories(layout.eventLogDir(attemptId));
        Files.createDirectories(file(attemptId, AttemptShim.WORK_DIR));
        Files.deleteIfExists(file(attemptId, AttemptShim.SHIM_FILE));
    }

    /** {@code shim.json}: the attempt's shim and spark-submit processes, once spark-submit is exec'd. */
    public Optional<ShimInfo> shim(String attemptId) {
        return AtomicFiles.readJson(file(attemptId, AttemptShim.SHIM_FILE), ShimInfo.class);
    }

    /** True once the driver's end is recorded: its exit record or exit.json exists. */
    public boolean ended(String attemptId) {
        return Files.exists(ExitRecord.file(layout.root(), attemptId)) || Files.exists(layout.exitFile(attemptId))
                || Files.exists(reportedExitFile(attemptId));
    }

    void writeAttempt(SpoolAttempt attempt) throws IOException {
        Path dir = layout.attemptDir(attempt.attemptId());
        if (!free.reuse(dir)) {
            Files.createDirectories(dir);
        }
        AtomicFiles.writeJson(layout.attemptFile(attempt.attemptId()), attempt);
    }

    Optional<SpoolAttempt> attempt(String attemptId) {
        return AtomicFiles.readJson(layout.attemptFile(attemptId), SpoolAttempt.class);
    }

    /**
     * The assignment an attempt runs: the one its {@code attempt.json} holds (read already as
     * {@code attempt}), or the {@code run.json} of an earlier version's spool.
     */
    Optional<RunAssignment> run(SpoolAttempt attempt) {
        return Optional.ofNullable(attempt.run())
                .or(() -> AtomicFiles.readJson(file(attempt.attemptId(), LEGACY_RUN_FILE), RunAssignment.class));
    }

    /** The last file written for an attempt, unless its shim wrote it already (or the directory is gone). */
    void writeExitIfAbsent(String attemptId, ShimExit exit) throws IOException {
        // a directory that is gone was shipped and removed: its exit.json had been written
        if (Files.isDirectory(layout.attemptDir(attemptId)) && !finished(attemptId)) {
            try {
                AtomicFiles.writeJson(layout.exitFile(attemptId), exit);
            } catch (NoSuchFileException e) {
                if (Files.isDirectory(layout.attemptDir(attemptId))) {
                    throw e;
                }
                // the shim's exit.json came first and the log-shipper removed the directory meanwhile
            }
        }
    }

    /**
     * The attempt's exit: {@code exit.json}, else its exit record completed with what only the
     * spool directory tells (the failure message from the driver's output, the Spark app id from
     * its event log), else the copy kept after its end was reported.
     */
    public Optional<ShimExit> exit(String attemptId) {
        return AtomicFiles.readJson(layout.exitFile(attemptId), ShimExit.class)
                .or(() -> AtomicFiles.readJson(ExitRecord.file(layout.root(), attemptId), ExitRecord.class)
                        .map(ExitRecord::exit).map(exit -> completed(attemptId, exit)))
                .or(() -> AtomicFiles.readJson(reportedExitFile(attemptId), ExitRecord.class).map(ExitRecord::exit));
    }

    private ShimExit completed(String attemptId, ShimExit exit) {
        String appId = exit.sparkAppId() != null ? exit.sparkAppId()
                : EventLogs.appId(layout.eventLogDir(attemptId)).orElse(null);
        String message = exit.message();
        if (message == null && exit.reason() == null && exit.exitCode() != null && exit.exitCode() != 0) {
            String tail = FailureMessage.of(layout.stream(attemptId, "stderr"), layout.stream(attemptId, "stdout"));
            message = tail != null ? tail : "spark-submit exited with code " + exit.exitCode();
        }
        return new ShimExit(exit.exitCode(), exit.finishedAt(), exit.reason(), message, appId, exit.terminated());
    }

    /**
     * True when the attempt ended on this host already: its exit.json exists, or the worker's copy
     * of its exit, kept after its end was reported (the log-shipper may have removed the directory,
     * and the assignment may still come again if the worker died before committing its offset).
     */
    boolean finished(String attemptId) {
        return Files.exists(layout.exitFile(attemptId)) || Files.exists(reportedExitFile(attemptId));
    }

    private Path reportedExitFile(String attemptId) {
        Path record = ExitRecord.file(layout.root(), attemptId);
        return record.resolveSibling(record.getFileName() + REPORTED_SUFFIX);
    }

    /** Deletes the copies of reported exits older than maxAge: by then their assignments' offsets are long committed. */
    void pruneReportedExits(Duration maxAge) {
        Path dir = layout.root().resolve(ExitRecord.DIR);
        if (!Files.isDirectory(dir)) {
            return;
        }
        Instant oldest = Instant.now().minus(maxAge);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                try {
                    if (file.getFileName().toString().endsWith(REPORTED_SUFFIX)
                            && Files.getLastModifiedTime(file).toInstant().isBefore(oldest)) {
                        Files.deleteIfExists(file);
                    }
                } catch (IOException e) {
                    // the next start tries again
                }
            }
        } catch (IOException e) {
            // the next start tries again
        }
    }

    void writeStop(String attemptId, StopRequest stop) throws IOException {
        AtomicFiles.writeJson(file(attemptId, STOP_FILE), stop);
    }

    Optional<StopRequest> stop(String attemptId) {
        return AtomicFiles.readJson(file(attemptId, STOP_FILE), StopRequest.class);
    }

    /**
     * The end report is acknowledged: marks the directory and sets the worker's copy of the exit
     * aside as reported (not deleted: an assignment redelivered after a crash must find that the
     * attempt ended, even once the log-shipper has removed its directory).
     */
    void markReported(String attemptId) {
        try {
            Files.createLink(file(attemptId, REPORTED_FILE), layout.exitFile(attemptId));
        } catch (FileAlreadyExistsException e) {
            // marked by an earlier report of the same end
        } catch (IOException | UnsupportedOperationException e) {
            try {
                Files.writeString(file(attemptId, REPORTED_FILE), "");
            } catch (IOException notMarked) {
                // the log-shipper may have removed the directory already
            }
        }
        Path record = ExitRecord.file(layout.root(), attemptId);
        if (!Files.exists(record)) {
            return; // no shim wrote one (an in-process or Kubernetes launch), or it was set aside already
        }
        try {
            Files.move(record, reportedExitFile(attemptId),
                    StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            // no shim wrote one, or it was set aside already
        } catch (IOException e) {
            // a restart reports it again, harmlessly
        }
    }

    /** Exit records whose attempt directory the log-shipper has removed: ends perhaps never reported. */
    List<ExitRecord> orphanExits() {
        List<ExitRecord> records = new ArrayList<>();
        Path dir = layout.root().resolve(ExitRecord.DIR);
        if (!Files.isDirectory(dir)) {
            return records;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith(".json") && !name.startsWith(".")
                        && !Files.exists(layout.attemptDir(name.substring(0, name.length() - 5)))) {
                    AtomicFiles.readJson(file, ExitRecord.class).filter(r -> r.attempt() != null && r.exit() != null)
                            .ifPresent(records::add);
                }
            }
        } catch (IOException e) {
            return records;
        }
        return records;
    }

    boolean reported(String attemptId) {
        return Files.exists(file(attemptId, REPORTED_FILE));
    }

    /** Sets the attempt's lease file to {@code at}: its shim fences the driver if that grows too old. */
    public void renewLease(String attemptId, Instant at) throws IOException {
        Path lease = file(attemptId, AttemptShim.LEASE_FILE);
        if (!Files.exists(lease)) {
            Files.writeString(lease, "");
        }
        Files.setLastModifiedTime(lease, FileTime.from(at));
    }

    /** The attempt directories that hold an attempt.json, hidden ones (being removed) left out. */
    List<String> attemptIds() throws IOException {
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(layout.root())) {
            return ids;
        }
        try (Stream<Path> dirs = Files.list(layout.root())) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                String name = dir.getFileName().toString();
                if (!name.startsWith(".") && Files.isRegularFile(dir.resolve(SpoolLayout.ATTEMPT_FILE))) {
                    ids.add(name);
                }
            }
        }
        ids.sort(null);
        return ids;
    }

    private Path file(String attemptId, String name) {
        return layout.attemptDir(attemptId).resolve(name);
    }
}
