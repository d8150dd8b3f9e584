package io.kindling.api.gateway;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each session last had a call admitted by this gateway (the idle timeout's measure). In
 * memory and per gateway: an api replica knows only the calls its own gateway relayed.
 */
public final class SessionActivity {
    private final Clock clock;
    private final Map<String, Instant> last = new ConcurrentHashMap<>();

    public SessionActivity(Clock clock) {
        this.clock = clock;
    }

    /** A call of {@code sessionId} passed the gateway now. */
    public void touch(String sessionId) {
        last.put(sessionId, clock.instant());
    }

    /** When the last call of {@code sessionId} passed, if one did since this gateway started. */
    public Optional<Instant> last(String sessionId) {
        return Optional.ofNullable(last.get(sessionId));
    }

    /** Forgets every session not in {@code live} (ended ones). */
    public void retainOnly(Collection<String> live) {
        last.keySet().retainAll(live);
    }
}
