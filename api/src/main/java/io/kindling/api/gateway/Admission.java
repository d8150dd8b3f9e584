package io.kindling.api.gateway;

import io.kindling.api.auth.Principal;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.Optional;

/**
 * Whether one gRPC call (its request headers) may pass the gateway: it names a known session in
 * {@value #SESSION_HEADER} (the connect URL's {@code x-kindling-session} parameter, which the PySpark
 * client sends as metadata) and carries {@code authorization: Bearer <token>} of a principal acting
 * in that session's tenant. The one owner of the gateway's admission rule.
 */
final class Admission {
    static final String SESSION_HEADER = "x-kindling-session";
    private final SessionRoutes routes;
    private final BearerAuthenticator authenticator;
    private final SessionActivity activity;

    /** A call admitted to {@code route}, or refused with gRPC status {@code code} and a reason. */
    record Verdict(SessionRoute route, int code, String reason) {
        static Verdict refuse(int code, String reason) {
            return new Verdict(null, code, reason);
        }

        boolean admitted() {
            return route != null;
        }
    }

    static final int UNAUTHENTICATED = 16;
    static final int PERMISSION_DENIED = 7;
    static final int NOT_FOUND = 5;
    static final int UNAVAILABLE = 14;

    Admission(SessionRoutes routes, BearerAuthenticator authenticator) {
        this(routes, authenticator, new SessionActivity(java.time.Clock.systemUTC()));
    }

    /** Every admitted call is recorded in {@code activity}. */
    Admission(SessionRoutes routes, BearerAuthenticator authenticator, SessionActivity activity) {
        this.routes = routes;
        this.authenticator = authenticator;
        this.activity = activity;
    }

    Verdict check(Http2Headers headers) {
        CharSequence session = headers.get(SESSION_HEADER);
        if (session == null) {
            return Verdict.refuse(NOT_FOUND, "no " + SESSION_HEADER + " in the connect URL: use the session's connectUrl");
        }
        Optional<SessionRoute> route = routes.find(session.toString());
        if (route.isEmpty()) {
            return Verdict.refuse(NOT_FOUND, "no live session " + session);
        }
        CharSequence authorization = headers.get("authorization");
        if (authorization == null || !authorization.toString().regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Verdict.refuse(UNAUTHENTICATED, "a bearer token is required: add ;token=<token> to the connect URL");
        }
        Optional<Principal> principal = authenticator.authenticate(authorization.toString().substring(7).strip());
        if (principal.isEmpty()) {
            return Verdict.refuse(UNAUTHENTICATED, "the token is not valid");
        }
        if (!principal.get().actsIn(route.get().tenant())) {
            return Verdict.refuse(PERMISSION_DENIED, principal.get().name() + " does not act in the tenant of session " + session);
        }
        activity.touch(route.get().sessionId());
        return new Verdict(route.get(), 0, "");
    }
}
