package io.kindling.api.sessions;

import io.kindling.api.auth.JwtAuthenticator;
import io.kindling.api.auth.Principal;
import io.kindling.api.auth.StaticTokens;
import io.kindling.api.gateway.BearerAuthenticator;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session gateway's admission by the api's own credentials, in the order the api's
 * {@code AuthHandler} checks them: a static token, else an OIDC JWT; with authentication disabled
 * every caller is the anonymous admin. Blocking (a JWT may need the issuer's keys fetched).
 */
public final class GatewayAuthenticator implements BearerAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayAuthenticator.class);
    private final StaticTokens tokens;
    private final JwtAuthenticator jwt;
    private final boolean disabled;

    /** @param tokens static tokens, or null; @param jwt OIDC tokens, or null */
    public GatewayAuthenticator(StaticTokens tokens, JwtAuthenticator jwt, boolean disabled) {
        this.tokens = tokens;
        this.jwt = jwt;
        this.disabled = disabled;
    }

    @Override
    public Optional<Principal> authenticate(String token) {
        if (disabled) {
            return Optional.of(Principal.ANONYMOUS_ADMIN);
        }
        Optional<Principal> known = tokens == null ? Optional.empty() : tokens.authenticate(token);
        if (known.isPresent() || jwt == null || !JwtAuthenticator.looksLikeJwt(token)) {
            return known;
        }
        try {
            return Optional.of(jwt.authenticate(token));
        } catch (JwtAuthenticator.InvalidTokenException | JwtAuthenticator.KeysUnavailableException e) {
            LOG.debug("session gateway: token refused ({})", e.getMessage());
            return Optional.empty();
        }
    }
}
