package io.kindling.blobstore;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The local store's directories: creates a new file's missing parents and forces a directory to
 * disk. The directories already known to exist (created or seen here) are remembered, up to
 * {@value #MAX_KNOWN} of them (then forgotten all at once and learnt again), so a blob in a new
 * directory costs a mkdir per missing level and no stat, and one in a known directory nothing. A
 * remembered directory removed behind the store's back only makes the first create in it fail
 * with {@link NoSuchFileException}: {@link #createIn} then forgets them all and tries once more.
 * Each directory's entry is forced into its parent when it is learnt (created, or found by a
 * create), before any file goes in it: a file forced with its directory is then reachable from the
 * root after a crash, on any file system (without this, ext4 without a journal, or ext2, may lose
 * a new directory's entry and with it every blob under it once the spool is gone). Thread-safe.
 */
final class Directories {
    static final int MAX_KNOWN = 4096;

    /** Creates a file; throws {@link NoSuchFileException} when its directory is missing. */
    @FunctionalInterface
    interface FileCreation<T> {
        T create(Path file) throws IOException;
    }

    private final Path root;
    private final Consumer<Path> forceDirectory;
    private final Set<Path> known = ConcurrentHashMap.newKeySet();

    /** @param root a directory that exists, under which every directory created here lies */
    Directories(Path root) {
        this(root, Directories::force);
    }

    /** @param forceDirectory forces a directory's entries to disk ({@link #force}; tests record the calls) */
    Directories(Path root, Consumer<Path> forceDirectory) {
        this.root = root;
        this.forceDirectory = forceDirectory;
    }

    /** Creates file's missing parents, then the file itself with {@code creation}. */
    <T> T createIn(Path file, FileCreation<T> creation) throws IOException {
        create(file.getParent());
        try {
            return creation.create(file);
        } catch (NoSuchFileException e) {
            known.clear(); // a directory was removed since it was remembered
            create(file.getParent());
            return creation.create(file);
        }
    }

    /** Whether dir is remembered as existing (for tests). */
    boolean knows(Path dir) {
        return known.contains(dir);
    }

    /**
     * Creates dir and its missing levels below the nearest known one (or the root): a mkdir each
     * and a force of its parent, and a stat only where one already existed. If the known level has
     * gone, the JDK's {@link Files#createDirectories} from the top, then a force of every level's parent.
     */
    private void create(Path dir) throws IOException {
        Deque<Path> levels = new ArrayDeque<>();
        for (Path level = dir; level != null && !level.equals(root) && !known.contains(level); level = level.getParent()) {
            levels.push(level);
        }
        try {
            for (Path level : levels) {
                try {
                    Files.createDirectory(level);
                } catch (FileAlreadyExistsException e) {
                    if (!Files.isDirectory(level)) {
                        throw e; // a file where a directory belongs
                    }
                }
                // also when it existed: the create that made it may not have forced it yet
                forceDirectory.accept(level.getParent());
                remember(level);
            }
        } catch (NoSuchFileException e) {
            known.clear();
            Files.createDirectories(dir);
            for (Path level = dir; level != null && !level.equals(root); level = level.getParent()) {
                forceDirectory.accept(level.getParent());
            }
        }
    }

    private void remember(Path dir) {
        if (known.size() >= MAX_KNOWN) {
            known.clear();
        }
        known.add(dir);
    }

    /** Forces a directory's entries to disk; a platform that cannot open or sync a directory is let be. */
    static void force(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // the file's own data is already forced
        }
    }
}
