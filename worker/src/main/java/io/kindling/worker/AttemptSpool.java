package io.kindling.worker;

import io.kindling.common.spool.SpoolAttempt;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.shim.AtomicFiles;
import io.kindling.worker.shim.AttemptShim;
import io.kindling.worker.shim.ExitRecord;
import io.kindling.worker.shim.ShimExit;
import java.io.IOException;
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
 * The worker's files in an attempt's spool directory (see {@link SpoolLayout}): {@code attempt.json}
 * and {@code run.json} (the assignment, so that a restarted worker can adopt it), {@code stop.json}
 * (why the worker stopped it), {@code lease} (its modification time is the attempt's lease, which
 * the shim watches), {@code reported} (its end was acknowledged), and {@code exit.json} when no
 * shim wrote it. Each JSON file is written whole and renamed into place.
 */
final class AttemptSpool {
    static final String RUN_FILE = "run.json";
    static final String STOP_FILE = "stop.json";
    static final String REPORTED_FILE = "reported";
    static final String REPORTED_SUFFIX = ".reported";

    private final SpoolLayout layout;

    AttemptSpool(SpoolLayout layout) {
        this.layout = layout;
    }

    SpoolLayout layout() {
        return layout;
    }

    void writeAttempt(SpoolAttempt attempt, RunAssignment run) throws IOException {
        Files.createDirectories(layout.attemptDir(attempt.attemptId()));
        AtomicFiles.writeJson(file(run.attemptId(), RUN_FILE), run);
        AtomicFiles.writeJson(layout.attemptFile(attempt.attemptId()), attempt);
    }

    Optional<SpoolAttempt> attempt(String attemptId) {
        return AtomicFiles.readJson(layout.attemptFile(attemptId), SpoolAttempt.class);
    }

    Optional<RunAssignment> run(String attemptId) {
        return AtomicFiles.readJson(file(attemptId, RUN_FILE), RunAssignment.class);
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

    Optional<ShimExit> exit(String attemptId) {
        return AtomicFiles.readJson(layout.exitFile(attemptId), ShimExit.class)
                .or(() -> AtomicFiles.readJson(ExitRecord.file(layout.root(), attemptId), ExitRecord.class)
                        .map(ExitRecord::exit))
                .or(() -> AtomicFiles.readJson(reportedExitFile(attemptId), ExitRecord.class).map(ExitRecord::exit));
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
            Files.writeString(file(attemptId, REPORTED_FILE), "");
        } catch (IOException e) {
            // the log-shipper may have removed the directory already
        }
        try {
            Files.move(ExitRecord.file(layout.root(), attemptId), reportedExitFile(attemptId),
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
    void renewLease(String attemptId, Instant at) throws IOException {
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
