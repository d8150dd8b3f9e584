package io.kindling.api.gateway;

import io.kindling.common.relay.RelayProtocol;
import io.netty.channel.Channel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The relay agents connected to the gateway: one control channel per session, and the data
 * connections asked of them and not yet dialled back. The one owner of "which agent serves which
 * session": a newer control connection of a session replaces an older one (the agent redialled).
 */
final class AgentLinks {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Map<String, Channel> controls = new ConcurrentHashMap<>();
    private final Map<String, Promise<Channel>> pending = new ConcurrentHashMap<>();
    private final Duration dialBack;
    private final AtomicLong dialledBack = new AtomicLong();

    AgentLinks(Duration dialBack) {
        this.dialBack = dialBack;
    }

    void register(String sessionId, Channel control) {
        Channel previous = controls.put(sessionId, control);
        if (previous != null && previous != control) {
            previous.close();
        }
    }

    void unregister(String sessionId, Channel control) {
        controls.remove(sessionId, control);
    }

    boolean connected(String sessionId) {
        Channel control = controls.get(sessionId);
        return control != null && control.isActive();
    }

    /**
     * Asks the agent of {@code sessionId} to dial a data connection back; the promise completes
     * with it, or fails when no agent is connected or it does not dial back in time.
     */
    Promise<Channel> openData(String sessionId) {
        Promise<Channel> promise = GlobalEventExecutor.INSTANCE.newPromise();
        Channel control = controls.get(sessionId);
        if (control == null || !control.isActive()) {
            return promise.setFailure(new IllegalStateException("no relay agent is connected for session " + sessionId));
        }
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        pending.put(id, promise);
        GlobalEventExecutor.INSTANCE.schedule(() -> {
            if (pending.remove(id) != null) {
                promise.tryFailure(new IllegalStateException("the relay agent of session " + sessionId
                        + " did not dial back within " + dialBack));
            }
        }, dialBack.toMillis(), TimeUnit.MILLISECONDS);
        control.writeAndFlush(control.alloc().buffer().writeBytes(RelayProtocol.openLine(id).getBytes(
                java.nio.charset.StandardCharsets.US_ASCII)));
        return promise;
    }

    /** A data connection dialled back for {@code connectionId}; false when nobody waits for it. */
    boolean dialledBack(String connectionId, Channel data) {
        Promise<Channel> promise = pending.remove(connectionId);
        boolean taken = promise != null && promise.trySuccess(data);
        if (taken) {
            dialledBack.incrementAndGet();
        }
        return taken;
    }

    /** How many data connections agents dialled back for admitted client connections, since the start. */
    long relayedConnections() {
        return dialledBack.get();
    }

    void closeAll() {
        controls.values().forEach(Channel::close);
        pending.values().forEach(p -> p.tryFailure(new IllegalStateException("the gateway is closing")));
    }
}
