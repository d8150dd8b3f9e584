package io.kindling.api.gateway;

import io.kindling.api.auth.Principal;
import java.util.Optional;

/**
 * Who a bearer token belongs to: the api's own authentication ({@code StaticTokens::authenticate}
 * or the OIDC verifier), so the gateway admits exactly whom the api admits.
 */
@FunctionalInterface
public interface BearerAuthenticator {
    Optional<Principal> authenticate(String token);
}
