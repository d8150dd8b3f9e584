package io.kindling.api.auth;

import java.util.Objects;

/**
 * Where OIDC bearer tokens come from and how to read them.
 *
 * @param issuer       the {@code iss} every token must carry ({@code KINDLING_OIDC_ISSUER})
 * @param audience     the {@code aud} every token must include, or null to accept any ({@code KINDLING_OIDC_AUDIENCE})
 * @param jwksUrl      the issuer's JSON Web Key Set ({@code KINDLING_OIDC_JWKS_URL})
 * @param nameClaim    the claim naming the principal ({@code KINDLING_OIDC_NAME_CLAIM}, default {@code sub})
 * @param tenantsClaim the claim listing its tenants ({@code KINDLING_OIDC_TENANTS_CLAIM}, default {@code tenants})
 * @param rolesClaim   the claim listing its roles ({@code KINDLING_OIDC_ROLES_CLAIM}, default {@code roles})
 */
public record OidcConfig(String issuer, String audience, String jwksUrl, String nameClaim, String tenantsClaim,
        String rolesClaim) {
    public OidcConfig {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(jwksUrl, "jwksUrl");
        Objects.requireNonNull(nameClaim, "nameClaim");
        Objects.requireNonNull(tenantsClaim, "tenantsClaim");
        Objects.requireNonNull(rolesClaim, "rolesClaim");
    }
}
