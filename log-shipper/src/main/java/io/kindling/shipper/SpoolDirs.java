package io.kindling.shipper;

import io.kindling.common.spool.FreeAttemptDirs;
import io.kindling.common.spool.SpoolLayout;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds attempt directories in the spool and removes shipped ones. A directory is first renamed
 * to a hidden name, then emptied and kept for a new attempt ({@link FreeAttemptDirs}) or deleted,
 * so a crash half-way through never leaves an attempt that looks shippable but has lost files;
 * hidden leftovers are deleted when a later scan comes across them. Owned by the shipping round's
 * thread, but for {@link #remove}, which any thread may call.
 */
final class SpoolDirs {
    static final String REMOVING_PREFIX = ".removing-";
    private static final Logger LOG = LoggerFactory.getLogger(SpoolDirs.class);

    private final SpoolLayout spool;
    private final FreeAttemptDirs free;
    private final ReentrantLock renames = new ReentrantLock();
    /**
     * Directories seen holding an {@code attempt.json}: it stays until the directory is removed,
     * so a directory is checked for it once, not on every scan. Only those still listed are kept.
     */
    private Set<String> known = new HashSet<>();

    /** @param keptDirs shipped directories kept for new attempts at most ({@link FreeAttemptDirs}; 0: none) */
    SpoolDirs(SpoolLayout spool, int keptDirs) {
        this.spool = spool;
        this.free = new FreeAttemptDirs(spool, keptDirs);
    }

    /**
     * Ids of the attempt directories that hold an {@code attempt.json}, sorted; deletes what an
     * earlier {@link #remove} left behind (a crash while deleting) on the way.
     */
    List<String> attemptIds() throws IOException {
        List<String> ids = new ArrayList<>();
        List<Path> leftovers = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(spool.root())) {
            for (Path dir : entries) {
                String name = dir.getFileName().toString();
                if (name.startsWith(REMOVING_PREFIX)) {
                    leftovers.add(dir);
                } else if (!name.startsWith(".")
                        && (known.contains(name) || Files.isRegularFile(dir.resolve(SpoolLayout.ATTEMPT_FILE)))) {
                    ids.add(name);
                }
            }
        } catch (NoSuchFileException e) {
            // no spool yet
        }
        known = new HashSet<>(ids);
        for (Path leftover : leftovers) {
            try {
                deleteTree(leftover);
            } catch (IOException e) {
                // hidden, never shipped again: the next scan tries again, and shipping goes on meanwhile
                LOG.warn("cannot delete {} yet: {}", leftover, e.toString());
            }
        }
        ids.sort(null);
        return ids;
    }

    /**
     * Removes an attempt's directory: first out of sight, then kept for a new attempt (emptied) or
     * deleted. The renames take
     * turns: each one locks the spool directory in the kernel, where the shipping threads
     * waiting for it spun on the CPU (a quarter of the shipper's CPU with 32 threads on 2 cores).
     */
    void remove(String attemptId) throws IOException {
        Path dir = spool.attemptDir(attemptId);
        Path hidden = dir.resolveSibling(REMOVING_PREFIX + attemptId);
        renames.lock();
        try {
            Files.move(dir, hidden, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return;
        } catch (FileSystemException e) {
            // a leftover of an earlier removal under the hidden name (not empty, or a file)
            deleteTree(hidden);
            Files.move(dir, hidden, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            renames.unlock();
        }
        if (!free.hasRoom() || !kept(hidden)) {
            deleteTree(hidden);
        }
    }

    /** Empties a removed directory down to what {@link FreeAttemptDirs} keeps, and keeps it; false if it did not. */
    private boolean kept(Path hidden) {
        try {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(hidden)) {
                if (!(entries instanceof SecureDirectoryStream<Path> secure)) {
                    return false;
                }
                deleteEntries(secure, FreeAttemptDirs::keeps);
            }
            return free.keep(hidden);
        } catch (IOException e) {
            LOG.debug("not keeping {} for a new attempt: {}", hidden, e.toString());
            return false;
        }
    }

    /**
     * Deletes a directory and all in it, if it exists. Where the platform has
     * {@link SecureDirectoryStream} (Linux) in one pass with no stat: each entry unlinked as a
     * file, and only one that turns out to be a directory opened and emptied first.
     */
    static void deleteTree(Path root) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            if (!(entries instanceof SecureDirectoryStream<Path> secure)) {
                deleteTreeWalking(root);
                return;
            }
            deleteEntries(secure, name -> false);
        } catch (NoSuchFileException e) {
            return;
        } catch (NotDirectoryException e) {
            Files.deleteIfExists(root);
            return;
        }
        deleteDirectory(root, () -> Files.delete(root));
    }

    /** Deletes a directory's entries but those whose names {@code kept} accepts. */
    private static void deleteEntries(SecureDirectoryStream<Path> dir, Predicate<String> kept) throws IOException {
        for (Path entry : dir) {
            Path name = entry.getFileName();
            if (kept.test(name.toString())) {
                continue;
            }
            try {
                dir.deleteFile(name);
            } catch (NoSuchFileException e) {
                // deleted by another shipper meanwhile
            } catch (FileSystemException e) {
                if (!deleteSubdirectory(dir, name, entry)) {
                    throw e;
                }
            }
        }
    }

    /** Empties and deletes a directory (rolling event logs, the shim's work directory); false if it is none. */
    private static boolean deleteSubdirectory(SecureDirectoryStream<Path> dir, Path name, Path entry)
            throws IOException {
        try (SecureDirectoryStream<Path> sub = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
            deleteEntries(sub, other -> false);
        } catch (NotDirectoryException e) {
            return false;
        } catch (NoSuchFileException e) {
            return true; // deleted by another shipper meanwhile
        }
        deleteDirectory(entry, () -> dir.deleteDirectory(name));
        return true;
    }

    private static void deleteTreeWalking(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                deleteDirectory(dir, () -> Files.delete(dir));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    @FunctionalInterface
    private interface Deletion {
        void delete() throws IOException;
    }

    private static void deleteDirectory(Path dir, Deletion deletion) throws IOException {
        try {
            deletion.delete();
        } catch (NoSuchFileException e) {
            // deleted by another shipper meanwhile
        } catch (DirectoryNotEmptyException e) {
            throw new IOException("something is still writing into " + dir, e);
        }
    }
}
