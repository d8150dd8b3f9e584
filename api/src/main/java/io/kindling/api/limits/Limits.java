package io.kindling.api.limits;

import io.kindling.api.auth.Access;
import io.kindling.api.auth.Principal;
import io.kindling.api.http.ApiException;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.OptionalLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The route handlers that apply {@link ApiLimits}: each refuses with 429 {@code RATE_LIMITED} and {@code Retry-After}. */
public final class Limits {
    private static final Logger LOG = LoggerFactory.getLogger(Limits.class);
    /** What a client refused a connection slot should wait before retrying. */
    static final long SLOT_RETRY_AFTER_SECONDS = 5;

    private Limits() {
    }

    /**
     * Takes a slot of {@code limiter} for the request's principal, released when the response ends
     * or the connection closes.
     *
     * @return false if refused (the context has failed with 429)
     */
    public static boolean hold(RoutingContext ctx, ConnectionLimiter limiter, String what) {
        Principal principal = Access.principal(ctx);
        ConnectionLimiter.Outcome outcome = limiter.tryAcquire(principal.name());
        if (outcome instanceof ConnectionLimiter.Granted granted) {
            ctx.addEndHandler(v -> granted.permit().close());
            return true;
        }
        ConnectionLimiter.Refused refused = (ConnectionLimiter.Refused) outcome;
        String message = refused.reason() == ConnectionLimiter.Refusal.PRINCIPAL
                ? "'" + principal.name() + "' already has " + refused.cap() + " " + what + " open (the most a principal may have);"
                        + " close one or retry later"
                : "the api already serves " + refused.cap() + " " + what + " (the most it serves at once); retry later";
        LOG.warn("refused {} {} for '{}': {}", ctx.request().method(), ctx.normalizedPath(), principal.name(), message);
        ctx.fail(ApiException.rateLimited(message, SLOT_RETRY_AFTER_SECONDS));
        return false;
    }

    /** A route handler that holds a slot of {@code limiter} for requests that match {@code applies}. */
    public static Handler<RoutingContext> connections(ConnectionLimiter limiter, String what, Predicate<RoutingContext> applies) {
        return ctx -> {
            if (!applies.test(ctx) || hold(ctx, limiter, what)) {
                ctx.next();
            }
        };
    }

    /** A route handler that takes a submission permit of the principal (429 with Retry-After without one). */
    public static Handler<RoutingContext> submissions(SubmitRateLimiter limiter, int perSecond) {
        return ctx -> {
            Principal principal = Access.principal(ctx);
            OptionalLong wait = limiter.acquire(principal.name());
            if (wait.isEmpty()) {
                ctx.next();
                return;
            }
            String message = "'" + principal.name() + "' submitted more than " + perSecond
                    + " jobs in a second (KINDLING_SUBMIT_RATE_PER_SECOND); retry after " + wait.getAsLong() + " s";
            LOG.warn("refused a submission of '{}': rate limit of {} per second", principal.name(), perSecond);
            ctx.fail(ApiException.rateLimited(message, wait.getAsLong()));
        };
    }
}
