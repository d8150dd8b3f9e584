package io.kindling.worker.shim;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes whoever waits for an attempt's end as soon as its shim renames the exit record into
 * {@code <spool>/.exits} (one {@link WatchService} on that directory: inotify on Linux, one thread
 * for every attempt), so that the end is reported without waiting for the next poll. The waiters
 * still poll (the fallback: an event lost to an overflow, a shim that vanished without a record);
 * {@link #none()} leaves them with the poll alone.
 */
public final class ExitWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExitWatch.class);
    private static final String SUFFIX = ".json";

    private final WatchService service;
    private final ConcurrentMap<String, Signal> signals = new ConcurrentHashMap<>();

    private ExitWatch(WatchService service) {
        this.service = service;
    }

    /** Watches {@code <spoolRoot>/.exits} (made if missing); {@link #none()} behaviour if it cannot. */
    public static ExitWatch on(Path spoolRoot) {
        Path dir = spoolRoot.resolve(ExitRecord.DIR);
        WatchService service = null;
        try {
            Files.createDirectories(dir);
            service = FileSystems.getDefault().newWatchService();
            dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("cannot watch {} ({}); attempts' ends are seen by polling", dir, e.toString());
            closeQuietly(service);
            return none();
        }
        ExitWatch watch = new ExitWatch(service);
        Thread.ofPlatform().daemon().name("exit-watch").start(watch::run);
        return watch;
    }

    /** No watching: {@link Signal#await} just waits its timeout. */
    public static ExitWatch none() {
        return new ExitWatch(null);
    }

    /**
     * The signal of {@code attemptId}'s end, to take before checking for the exit record (a record
     * renamed in after the check wakes the next {@link Signal#await}); close it when done.
     */
    public Signal signal(String attemptId) {
        Signal signal = new Signal(attemptId);
        signals.put(attemptId, signal);
        return signal;
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = service.take();
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                        signals.values().forEach(Signal::wake);
                    } else if (event.context() instanceof Path name) {
                        String file = name.toString();
                        if (!file.startsWith(".") && file.endsWith(SUFFIX)) {
                            Signal signal = signals.get(file.substring(0, file.length() - SUFFIX.length()));
                            if (signal != null) {
                                signal.wake();
                            }
                        }
                    }
                }
                if (!key.reset()) {
                    LOG.warn("the exit records' directory is no longer watched; attempts' ends are seen by polling");
                    return;
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    @Override
    public void close() {
        closeQuietly(service);
        signals.values().forEach(Signal::wake);
    }

    private static void closeQuietly(WatchService service) {
        if (service != null) {
            try {
                service.close();
            } catch (IOException e) {
                LOG.debug("cannot close the exit watch", e);
            }
        }
    }

    /** One waiter's wake-up for one attempt. */
    public final class Signal implements AutoCloseable {
        private final String attemptId;
        private final Semaphore woken = new Semaphore(0);

        private Signal(String attemptId) {
            this.attemptId = attemptId;
        }

        void wake() {
            woken.release();
        }

        /** Waits until the attempt's exit record may have appeared, or {@code timeout} has passed. */
        public void await(Duration timeout) throws InterruptedException {
            if (woken.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                woken.drainPermits();
            }
        }

        @Override
        public void close() {
            signals.remove(attemptId, this);
        }
    }
}
