package io.kindling.api.logs;

import io.kindling.api.logs.LogReader.Chunk;
import io.kindling.api.logs.LogReader.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live edge of the logs being followed, shared by their followers: one reader per followed
 * stream polls the store every {@link Settings#poll()} (at once again while more is stored), keeps
 * the last {@link Settings#windowBytes()} bytes it read, and hands them to every follower waiting
 * at the edge. A thousand followers of one running driver cost one store read per poll, not a
 * thousand: the bytes the shipper appended are what wakes them.
 *
 * <p>A follower {@linkplain #await awaits} bytes beyond what it has seen. It is answered once the
 * stream holds more, once it is complete, or after {@link Settings#idleWake()} with nothing new
 * (so it can notice a job that ended without a log, or a client that went away). A follower
 * behind the shared window is answered with {@link Optional#empty()}: it reads the store itself
 * (catching up) and waits again at the edge. A stream nobody has waited for during the idle wake
 * stops being read; one that is complete is forgotten.
 */
public final class LogTails implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogTails.class);

    /**
     * @param poll        how often a followed stream is read while nothing new arrives
     * @param windowBytes how many of a stream's latest bytes are kept for followers at its edge
     * @param chunkBytes  the most bytes one read or one answer carries
     * @param idleWake    the longest a follower waits without an answer
     */
    public record Settings(Duration poll, int windowBytes, int chunkBytes, Duration idleWake) {
        public Settings {
            if (chunkBytes <= 0 || windowBytes < chunkBytes) {
                // a follower at the edge must still be in the window after one read
                throw new IllegalArgumentException("windowBytes must be at least chunkBytes (> 0)");
            }
        }

        public static final Settings DEFAULT = new Settings(Duration.ofMillis(200), 1024 * 1024, 256 * 1024,
                Duration.ofSeconds(5));
    }

    private final LogReader reader;
    private final Executor io;
    private final Settings settings;
    private final ScheduledExecutorService timer;
    private final Map<Target, Tail> tails = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** @param io where the blocking store reads run (the api's I/O pool) */
    public LogTails(LogReader reader, Executor io, Settings settings) {
        this.reader = reader;
        this.io = io;
        this.settings = settings;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "log-tails");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Answers {@code answer} (on any thread) with the stream's bytes from {@code offset} on, once the
     * stream holds more than {@code seen} bytes ({@code seen ≥ offset}: what the caller already
     * read from there without using), or it is complete, or after the idle wake; with
     * {@link Optional#empty()} when {@code offset} is behind the shared window.
     */
    public void await(Target target, long offset, long seen, Consumer<Optional<Chunk>> answer) {
        if (closed) {
            answer.accept(Optional.empty());
            return;
        }
        tails.compute(target, (t, tail) -> {
            Tail live = tail == null ? new Tail(t, offset) : tail;
            live.add(new Waiter(offset, seen, answer, System.nanoTime()));
            return live;
        });
    }

    /** Streams being read for their followers (for metrics and tests). */
    public int followedStreams() {
        return tails.size();
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        tails.values().forEach(Tail::wakeAll);
        tails.clear();
    }

    private record Waiter(long offset, long seen, Consumer<Optional<Chunk>> answer, long since) {
    }

    /** One followed stream: its window of latest bytes and who waits at its edge. Guarded by itself. */
    private final class Tail {
        private final Target target;
        private byte[] window = new byte[0];
        private long windowStart;
        private long edge;
        private long blobLength;
        private boolean exists;
        private boolean indexed;
        private boolean complete;
        private boolean read; // the store was read at least once
        private boolean polling;
        private long lastWaiterNanos = System.nanoTime();
        private final List<Waiter> waiters = new ArrayList<>();

        Tail(Target target, long from) {
            this.target = target;
            this.windowStart = from;
            this.edge = from;
        }

        /** Called under the map's lock for this key. */
        void add(Waiter waiter) {
            Optional<Chunk> now;
            synchronized (this) {
                lastWaiterNanos = waiter.since();
                if (!read || !ready(waiter)) {
                    waiters.add(waiter);
                    if (!polling) {
                        polling = true;
                        schedule(Duration.ZERO);
                    }
                    return;
                }
                now = answerFor(waiter);
            }
            waiter.answer().accept(now);
        }

        private boolean ready(Waiter waiter) {
            return waiter.offset() < windowStart || edge > waiter.seen() || complete;
        }

        private Optional<Chunk> answerFor(Waiter waiter) {
            long offset = waiter.offset();
            if (offset < windowStart) {
                return Optional.empty();
            }
            byte[] bytes = offset >= edge ? new byte[0] : Arrays.copyOfRange(window, (int) (offset - windowStart),
                    (int) (Math.min(edge, offset + settings.chunkBytes()) - windowStart));
            return Optional.of(new Chunk(offset, bytes, blobLength, exists, indexed,
                    complete && offset + bytes.length >= blobLength));
        }

        private void schedule(Duration delay) {
            try {
                timer.schedule(() -> {
                    try {
                        io.execute(this::poll);
                    } catch (RejectedExecutionException e) {
                        schedule(settings.poll()); // the I/O pool is full: try again later
                    }
                }, delay.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                wakeAll(); // closed
            }
        }

        private void poll() {
            Chunk chunk;
            long from;
            synchronized (this) {
                from = edge;
            }
            try {
                chunk = reader.read(target, from, settings.chunkBytes());
            } catch (RuntimeException e) {
                LOG.debug("reading {} of job {} for its followers failed, trying again: {}", target.stream().fileName(),
                        target.jobId(), e.toString());
                schedule(settings.poll());
                return;
            }
            List<Waiter> answered = new ArrayList<>();
            boolean again;
            synchronized (this) {
                take(chunk);
                long now = System.nanoTime();
                for (var it = waiters.iterator(); it.hasNext(); ) {
                    Waiter w = it.next();
                    if (ready(w) || now - w.since() >= settings.idleWake().toNanos()) {
                        answered.add(w);
                        it.remove();
                    }
                }
                // kept a while after its last follower: followers come back for more right after each answer
                again = !complete && (!waiters.isEmpty() || now - lastWaiterNanos < settings.idleWake().toNanos());
                polling = again;
            }
            deliver(answered);
            if (again) {
                schedule(chunk.moreStored() ? Duration.ZERO : settings.poll());
            } else {
                tails.computeIfPresent(target, (t, tail) -> tail.idle() ? null : tail);
            }
        }

        /** Appends what was read to the window, keeping its last {@code windowBytes}. */
        private void take(Chunk chunk) {
            read = true;
            byte[] bytes = chunk.bytes();
            if (bytes.length > 0) {
                byte[] joined = Arrays.copyOf(window, window.length + bytes.length);
                System.arraycopy(bytes, 0, joined, window.length, bytes.length);
                int drop = Math.max(0, joined.length - settings.windowBytes());
                window = drop == 0 ? joined : Arrays.copyOfRange(joined, drop, joined.length);
                windowStart += drop;
                edge += bytes.length;
            }
            blobLength = chunk.blobLength();
            exists = chunk.exists();
            indexed = chunk.indexed();
            complete = chunk.complete();
        }

        /** Nobody waits and nothing is being read: the tail can go (a complete one always can). */
        private synchronized boolean idle() {
            if (waiters.isEmpty() && !polling) {
                return true;
            }
            if (!polling && !waiters.isEmpty()) {
                polling = true; // a waiter came in while this poll finished
                schedule(Duration.ZERO);
            }
            return false;
        }

        private void deliver(List<Waiter> answered) {
            for (Waiter w : answered) {
                Optional<Chunk> answer;
                synchronized (this) {
                    answer = answerFor(w);
                }
                w.answer().accept(answer);
            }
        }

        void wakeAll() {
            List<Waiter> all;
            synchronized (this) {
                all = new ArrayList<>(waiters);
                waiters.clear();
            }
            all.forEach(w -> w.answer().accept(Optional.empty()));
        }
    }
}
