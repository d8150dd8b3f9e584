package io.kindling.api.gateway;

import java.util.Optional;

/** The sessions the gateway relays to: READY or STARTING ones; ended sessions are not found. */
@FunctionalInterface
public interface SessionRoutes {
    Optional<SessionRoute> find(String sessionId);
}
