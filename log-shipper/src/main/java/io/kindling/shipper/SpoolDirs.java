package io.kindling.shipper;

import io.kindling.common.spool.SpoolLayout;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds attempt directories in the spool and removes shipped ones. A directory is first renamed
 * to a hidden name, then deleted, so a crash half-way through never leaves an attempt that looks
 * shippable but has lost files; hidden leftovers are deleted on the next scan.
 */
final class SpoolDirs {
    static final String REMOVING_PREFIX = ".removing-";

    private final SpoolLayout spool;

    SpoolDirs(SpoolLayout spool) {
        this.spool = spool;
    }

    /** Ids of the attempt directories that hold an {@code attempt.json}, sorted. */
    List<String> attemptIds() throws IOException {
        if (!Files.isDirectory(spool.root())) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        try (Stream<Path> entries = Files.list(spool.root())) {
            for (Path dir : (Iterable<Path>) entries::iterator) {
                String name = dir.getFileName().toString();
                if (!name.startsWith(".") && Files.isRegularFile(dir.resolve(SpoolLayout.ATTEMPT_FILE))) {
                    ids.add(name);
                }
            }
        }
        ids.sort(null);
        return ids;
    }

    /** Deletes what an earlier {@link #remove} left behind (a crash while deleting). */
    void deleteLeftovers() throws IOException {
        if (!Files.isDirectory(spool.root())) {
            return;
        }
        List<Path> leftovers;
        try (Stream<Path> entries = Files.list(spool.root())) {
            leftovers = entries.filter(p -> p.getFileName().toString().startsWith(REMOVING_PREFIX)).toList();
        }
        for (Path leftover : leftovers) {
            deleteTree(leftover);
        }
    }

    /** Removes an attempt's directory: first out of sight, then from the disk. */
    void remove(String attemptId) throws IOException {
        Path dir = spool.attemptDir(attemptId);
        Path hidden = dir.resolveSibling(REMOVING_PREFIX + attemptId);
        deleteTree(hidden);
        try {
            Files.move(dir, hidden, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return;
        } catch (FileAlreadyExistsException e) {
            throw new IOException("cannot move " + dir + " out of the way: " + hidden + " exists", e);
        }
        deleteTree(hidden);
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path path : paths) {
            try {
                Files.deleteIfExists(path);
            } catch (DirectoryNotEmptyException e) {
                throw new IOException("something is still writing into " + path, e);
            }
        }
    }
}
