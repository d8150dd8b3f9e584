package io.kindling.api.limits;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps concurrent long-lived connections (or uploads), per principal and in total. {@link #tryAcquire}
 * returns a permit that must be released exactly once (it is idempotent) when the connection ends.
 */
public final class ConnectionLimiter {
    /** A held slot; {@link #close()} frees it (once, however often called). */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    private final int perPrincipal;
    private final int total;
    private final AtomicInteger inUse = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> byPrincipal = new ConcurrentHashMap<>();

    /** @param perPrincipal the cap per principal ({@code Integer.MAX_VALUE} for none) */
    public ConnectionLimiter(int perPrincipal, int total) {
        this.perPrincipal = perPrincipal;
        this.total = total;
    }

    /** Why a connection was refused. */
    public enum Refusal { PRINCIPAL, TOTAL }

    /** A permit, or the cap that refused it. */
    public sealed interface Outcome permits Granted, Refused {
    }

    public record Granted(Permit permit) implements Outcome {
    }

    public record Refused(Refusal reason, int cap) implements Outcome {
    }

    public Outcome tryAcquire(String principal) {
        if (inUse.incrementAndGet() > total) {
            inUse.decrementAndGet();
            return new Refused(Refusal.TOTAL, total);
        }
        boolean[] granted = new boolean[1];
        byPrincipal.compute(principal, (k, held) -> {
            int n = held == null ? 0 : held;
            granted[0] = n < perPrincipal;
            return granted[0] ? Integer.valueOf(n + 1) : held;
        });
        if (!granted[0]) {
            inUse.decrementAndGet();
            return new Refused(Refusal.PRINCIPAL, perPrincipal);
        }
        AtomicBoolean released = new AtomicBoolean();
        return new Granted(() -> {
            if (released.compareAndSet(false, true)) {
                byPrincipal.compute(principal, (k, held) -> held == null || held <= 1 ? null : Integer.valueOf(held - 1));
                inUse.decrementAndGet();
            }
        });
    }

    /** Connections held now, in total. */
    public int inUse() {
        return inUse.get();
    }

    /** Connections {@code principal} holds now. */
    public int inUse(String principal) {
        Integer held = byPrincipal.get(principal);
        return held == null ? 0 : held;
    }
}
