package io.kindling.common.management;

import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * The liveness of one long-running loop thread (a consumer loop, a launcher, a shipping round).
 * The loop calls {@link #enter()} when its thread starts, {@link #beat()} once per iteration (or
 * once per run, for a loop on a scheduler) and
 * {@link #stopped()} when it ends on purpose (close). The loop is live while its thread runs, or
 * after it stopped on purpose; a thread that died of an exception makes it not live, and with it
 * the component ({@link Health#live()}).
 */
public final class LoopLiveness {
    private final String name;
    private final BooleanSupplier runs;
    private volatile Thread thread;
    private volatile boolean stopped;
    private volatile long lastBeatNanos;
    private volatile Error kill;

    LoopLiveness(String name, BooleanSupplier runs) {
        this.name = Objects.requireNonNull(name, "name");
        this.runs = runs;
    }

    /** A loop no health registry watches (a component started without one). */
    public static LoopLiveness unwatched(String name) {
        return new LoopLiveness(name, null);
    }

    public String name() {
        return name;
    }

    /** Called by the loop's thread when it starts. */
    public void enter() {
        thread = Thread.currentThread();
        stopped = false;
        beat();
    }

    /** Called by the loop's thread once per iteration; throws the error a test asked for with {@link #kill()}. */
    public void beat() {
        lastBeatNanos = System.nanoTime();
        Error e = kill;
        if (e != null) {
            kill = null;
            throw e;
        }
    }

    /** The loop ended on purpose (the component is closing): not a failure. */
    public void stopped() {
        stopped = true;
    }

    /**
     * Not started yet, running, or stopped on purpose; false once its thread died otherwise (or, for
     * a loop on a scheduler, once its schedule ended: the {@code runs} check it was registered with).
     */
    public boolean alive() {
        if (stopped) {
            return true;
        }
        if (runs != null) {
            return runs.getAsBoolean();
        }
        Thread t = thread;
        return t == null || t.isAlive();
    }

    /** Nanoseconds since the last {@link #beat()} (or start). */
    public long sinceLastBeatNanos() {
        return System.nanoTime() - lastBeatNanos;
    }

    /**
     * Test hook: the loop's next {@link #beat()} throws an {@link Error}, which no loop catches,
     * so its thread dies as it would of a bug, and {@link #alive()} turns false.
     */
    public void kill() {
        kill = new LoopKilled(name);
    }

    /** What {@link #kill()} throws in the loop's thread. */
    public static final class LoopKilled extends Error {
        private static final long serialVersionUID = 1L;

        LoopKilled(String loop) {
            super("loop " + loop + " killed by a test hook");
        }
    }
}
