package io.kindling.api.auth;

import io.kindling.api.IoExecutor;
import io.kindling.api.http.ApiException;
import io.kindling.api.http.ContractHandler;
import io.kindling.api.http.ErrorCode;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * The first handler of every request: authenticates its {@code Authorization: Bearer} credential
 * (a static token, else an OIDC JWT) and puts the {@link Principal} in the routing context.
 * {@code /health/*} stays open. Without a valid credential the request is answered 401 with
 * {@code WWW-Authenticate} before its body is read. JWTs are checked on the {@link IoExecutor}
 * (fetching the JWKS may block); the request is paused meanwhile.
 */
public final class AuthHandler implements Handler<RoutingContext> {
    private static final String BEARER = "Bearer ";

    private final StaticTokens tokens;
    private final JwtAuthenticator jwt;
    private final boolean disabled;
    private final IoExecutor io;

    /** @param tokens static tokens, or null; @param jwt OIDC tokens, or null */
    public AuthHandler(StaticTokens tokens, JwtAuthenticator jwt, boolean disabled, IoExecutor io) {
        this.tokens = tokens;
        this.jwt = jwt;
        this.disabled = disabled;
        this.io = io;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        // health, the web UI's static files (they hold no data; the UI's API calls authenticate),
        // and the public contract (the OpenAPI document and the JSON Schemas beside it)
        if (path.startsWith("/health/") || path.equals("/ui") || path.startsWith("/ui/")
                || ContractHandler.serves(path)) {
            ctx.next();
            return;
        }
        if (disabled) {
            proceed(ctx, Principal.ANONYMOUS_ADMIN);
            return;
        }
        String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || header.isBlank()) {
            refuse(ctx, "no credential: send 'Authorization: Bearer <token>'", false);
            return;
        }
        if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            refuse(ctx, "the Authorization header must be 'Bearer <token>'", true);
            return;
        }
        String token = header.substring(BEARER.length()).trim();
        if (token.isEmpty()) {
            refuse(ctx, "the bearer token is empty", true);
            return;
        }
        Optional<Principal> known = tokens == null ? Optional.empty() : tokens.authenticate(token);
        if (known.isPresent()) {
            proceed(ctx, known.get());
            return;
        }
        if (jwt == null || !JwtAuthenticator.looksLikeJwt(token)) {
            refuse(ctx, "the bearer token is not valid", true);
            return;
        }
        Context context = ctx.vertx().getOrCreateContext();
        pause(ctx);
        io.call(context, () -> jwt.authenticate(token)).onComplete(ar -> {
            if (ar.succeeded()) {
                proceed(ctx, ar.result());
            } else if (ar.cause() instanceof JwtAuthenticator.KeysUnavailableException e) {
                resume(ctx);
                ctx.fail(new ApiException(ErrorCode.UNAVAILABLE, "cannot check the token now: " + e.getMessage(), e));
            } else if (ar.cause() instanceof JwtAuthenticator.InvalidTokenException e) {
                refuse(ctx, "the bearer token is not valid: " + e.getMessage(), true);
            } else {
                resume(ctx);
                ctx.fail(ar.cause());
            }
        });
    }

    private static void proceed(RoutingContext ctx, Principal principal) {
        ctx.put(Access.PRINCIPAL, principal);
        resume(ctx);
        ctx.next();
    }

    private static void refuse(RoutingContext ctx, String message, boolean tokenGiven) {
        Access.denied("(unauthenticated)", ctx.request().method() + " " + ctx.normalizedPath(), null, message);
        resume(ctx);
        ctx.fail(ApiException.unauthenticated(message, tokenGiven));
    }

    private static void pause(RoutingContext ctx) {
        if (!ctx.request().isEnded()) {
            ctx.request().pause();
        }
    }

    private static void resume(RoutingContext ctx) {
        if (!ctx.request().isEnded()) {
            ctx.request().resume();
        }
    }
}
