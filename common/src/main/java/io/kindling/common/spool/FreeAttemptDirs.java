package io.kindling.common.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Shipped attempt directories kept for the next attempts, in {@code <spool>/.free/}. The
 * log-shipper {@linkplain #keep keeps} a shipped directory instead of deleting it, emptied down to
 * its {@code attempt.json} and {@code exit.json}, both overwritten with zeros and renamed to the
 * temporary names their next write goes through ({@link SpoolLayout#temporary}); the worker
 * {@linkplain #reuse reuses} one for a new attempt by renaming it into place, then writes those
 * two files over their zeros. So an attempt whose driver writes nothing into its directory (an
 * in-process or Kubernetes launch) makes no new inode in the spool and frees neither an inode nor
 * a block: on ext4 without a journal every new inode is searched past those its block group freed
 * in the last minute, and with the {@code discard} mount option every freed block is discarded
 * while the file system waits; a spool that freed three inodes and their blocks a job spent 8–20 %
 * of the machine's CPU searching at 1,000 jobs/s, and its log-shipper, waiting for the discards,
 * shipped less than half of the jobs while they ran.
 *
 * <p>A kept directory holds nothing of the attempt it served (its files are zeros), and is hidden
 * (its parent's name begins with a dot), so neither the worker nor the log-shipper takes it for
 * an attempt. At most {@code capacity} are kept (about 12 KiB of disk each); beyond that the
 * log-shipper deletes what it has shipped, as with a capacity of 0.
 *
 * <p>Thread-safe: the worker's attempts and the log-shipper's threads call it side by side, and
 * other processes on the same spool (a second worker or log-shipper) may take or keep directories
 * meanwhile; each directory moves by one atomic rename, so only one of them gets it.
 */
public final class FreeAttemptDirs {
    public static final String DIR = ".free";
    /** A spool's default number of kept directories. */
    public static final int DEFAULT_CAPACITY = 2048;
    /** How often the log-shipper counts the kept directories, and the worker looks again after finding none. */
    static final long LOOK_AGAIN_NANOS = Duration.ofSeconds(1).toNanos();
    /** A larger kept file is truncated instead of overwritten. */
    static final int MAX_CLEARED_BYTES = 64 * 1024;
    /** The files a kept directory keeps, under their own names or the temporary ones their next write goes through. */
    private static final Set<String> KEPT_NAMES = Set.of(SpoolLayout.ATTEMPT_FILE, SpoolLayout.EXIT_FILE,
            SpoolLayout.temporaryName(SpoolLayout.ATTEMPT_FILE), SpoolLayout.temporaryName(SpoolLayout.EXIT_FILE));

    private final Path free;
    private final int capacity;
    private final ReentrantLock looking = new ReentrantLock();
    /** The worker's side: names listed in the last look, not taken yet. */
    private final Queue<String> listed = new ConcurrentLinkedQueue<>();
    /** The log-shipper's side: kept directories as last counted, plus those kept since. */
    private final AtomicInteger kept = new AtomicInteger();
    /** The worker's side: whether the last look found none, and when ({@link System#nanoTime}). */
    private volatile boolean foundNone;
    private volatile long foundNoneAt;
    /** The log-shipper's side: whether they were counted, and when. */
    private volatile boolean counted;
    private volatile long countedAt;

    /** @param capacity how many the log-shipper keeps at most (the worker, which only reuses them, passes 0) */
    public FreeAttemptDirs(SpoolLayout spool, int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative, was " + capacity);
        }
        this.free = spool.root().resolve(DIR);
        this.capacity = capacity;
    }

    /** Whether a shipped directory's file is one it keeps (cleared): the others are deleted first. */
    public static boolean keeps(String fileName) {
        return KEPT_NAMES.contains(fileName);
    }

    /**
     * Moves a kept directory to {@code target}, which must not exist (or be empty); false when none
     * is kept (the caller makes a new one) or {@code target} exists already.
     */
    public boolean reuse(Path target) {
        while (true) {
            String name = listed.poll();
            if (name == null && (!lookAgain() || (name = listed.poll()) == null)) {
                return false;
            }
            try {
                Files.move(free.resolve(name), target, StandardCopyOption.ATOMIC_MOVE);
                return true;
            } catch (NoSuchFileException e) {
                // taken by another worker on this spool, or deleted: the next one
            } catch (IOException e) {
                listed.add(name); // the target exists already (a redelivered attempt), or cannot be written
                return false;
            }
        }
    }

    /** Lists the kept directories if none was listed and the last look is old enough or found some. */
    private boolean lookAgain() {
        if (!looking.tryLock()) {
            return false;
        }
        try {
            if (!listed.isEmpty()) {
                return true;
            }
            long now = System.nanoTime();
            if (foundNone && now - foundNoneAt < LOOK_AGAIN_NANOS) {
                return false;
            }
            int found = list(listed::add);
            foundNone = found == 0;
            foundNoneAt = now;
            return found > 0;
        } finally {
            looking.unlock();
        }
    }

    /**
     * Keeps a shipped attempt directory, already out of sight and emptied of all but the files
     * {@link #keeps} names; false, with the directory untouched or its files cleared, when there
     * is no room or one of them is not a regular file (the caller deletes it).
     */
    public boolean keep(Path dir) throws IOException {
        if (!hasRoom()) {
            return false;
        }
        for (String file : new String[] {SpoolLayout.ATTEMPT_FILE, SpoolLayout.EXIT_FILE}) {
            Path temporary = dir.resolve(SpoolLayout.temporaryName(file));
            try {
                Files.move(dir.resolve(file), temporary, StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (NoSuchFileException e) {
                // never written, or only its temporary file: the next write makes or reuses it
            }
            if (!cleared(temporary)) {
                return false;
            }
        }
        try {
            moveIntoFree(dir);
        } catch (NoSuchFileException e) {
            Files.createDirectories(free); // the first one kept on this spool
            moveIntoFree(dir);
        } catch (FileSystemException e) {
            return false; // a leftover of the same name (a crash while keeping it): delete this one
        }
        kept.incrementAndGet();
        return true;
    }

    private void moveIntoFree(Path dir) throws IOException {
        Files.move(dir, free.resolve(dir.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Overwrites a regular file with zeros, so that it holds nothing of its attempt but keeps its
     * disk blocks (a freed block costs a discard on a disk mounted with {@code discard}, issued
     * while the file system waits for it); false if it is something else (a link or a pipe the
     * driver left under that name: never followed nor opened, the directory is deleted instead).
     */
    private static boolean cleared(Path file) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return true; // nothing to clear
        }
        if (!attributes.isRegularFile()) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            if (attributes.size() > MAX_CLEARED_BYTES) {
                channel.truncate(0);
                return true;
            }
            ByteBuffer zeros = ByteBuffer.allocate((int) attributes.size());
            while (zeros.hasRemaining()) {
                channel.write(zeros);
            }
        }
        return true;
    }

    /** Whether {@link #keep} may keep one more (counted at most once a second). */
    public boolean hasRoom() {
        if (capacity == 0) {
            return false;
        }
        long now = System.nanoTime();
        if ((!counted || now - countedAt >= LOOK_AGAIN_NANOS) && looking.tryLock()) {
            try {
                kept.set(list(name -> { }));
                counted = true;
                countedAt = now;
            } finally {
                looking.unlock();
            }
        }
        return kept.get() < capacity;
    }

    /** Lists the kept directories into {@code found}; their number. */
    private int list(Consumer<String> found) {
        int count = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(free)) {
            for (Path entry : entries) {
                found.accept(entry.getFileName().toString());
                count++;
            }
        } catch (IOException e) {
            // none kept yet (or the spool cannot be read: then nothing is reused, and new directories are made)
        }
        return count;
    }
}
