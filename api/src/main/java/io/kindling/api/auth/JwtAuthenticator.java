package io.kindling.api.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.kindling.schemas.Names;
import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * OIDC bearer tokens: signed JWTs checked with Nimbus JOSE+JWT's {@link DefaultJWTProcessor}
 * against the issuer's JWKS (fetched over HTTP, cached, and fetched again when a token names a key
 * id the cache lacks, so the issuer can rotate its keys), then the issuer, the audience, expiry
 * and not-before (60 s clock skew). The principal's name, tenants and roles come from the
 * configured claims; a claim may be a list or a space- or comma-separated string. A role may be
 * prefixed ({@code Kindling.Submit} is {@code submit}), as Entra ID app roles usually are.
 * {@link #authenticate} may fetch the JWKS: call it off the event loop.
 */
public final class JwtAuthenticator {
    /** Signature algorithms accepted (asymmetric only: the api never holds a shared secret). */
    static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384,
            JWSAlgorithm.ES512, JWSAlgorithm.EdDSA);

    /** Why a token was refused. */
    public static final class InvalidTokenException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidTokenException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The issuer's keys could not be fetched (the token may be fine). */
    public static final class KeysUnavailableException extends Exception {
        private static final long serialVersionUID = 1L;

        KeysUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final OidcConfig config;
    private final DefaultJWTProcessor<SecurityContext> processor;

    public JwtAuthenticator(OidcConfig config) {
        this(config, Duration.ofSeconds(30));
    }

    /** @param minRefreshInterval the least time between two JWKS fetches triggered by unknown key ids */
    public JwtAuthenticator(OidcConfig config, Duration minRefreshInterval) {
        this.config = config;
        JWKSource<SecurityContext> keys;
        try {
            keys = JWKSourceBuilder.<SecurityContext>create(URI.create(config.jwksUrl()).toURL(),
                            new DefaultResourceRetriever(5_000, 5_000, 1024 * 1024))
                    .cache(Duration.ofMinutes(15).toMillis(), Duration.ofSeconds(15).toMillis())
                    .rateLimited(Math.max(1, minRefreshInterval.toMillis()))
                    .retrying(true)
                    .build();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("KINDLING_OIDC_JWKS_URL: not a URL: " + config.jwksUrl(), e);
        }
        processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
                config.audience() == null ? null : Set.of(config.audience()),
                new JWTClaimsSet.Builder().issuer(config.issuer()).build(),
                Set.of("exp", "iss", config.nameClaim()),
                null));
    }

    /** True if {@code token} has the shape of a JWS (three base64url parts). */
    public static boolean looksLikeJwt(String token) {
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        return first > 0 && second > first + 1 && token.indexOf('.', second + 1) < 0 && second < token.length() - 1;
    }

    /** The principal a valid token names. */
    public Principal authenticate(String token) throws InvalidTokenException, KeysUnavailableException {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (RateLimitReachedException e) {
            // the key set was fetched again moments ago and still lacks the token's key
            throw new InvalidTokenException("signed with a key the issuer does not publish", e);
        } catch (KeySourceException e) {
            throw new KeysUnavailableException("cannot fetch the issuer's keys from " + config.jwksUrl() + ": "
                    + e.getMessage(), e);
        } catch (ParseException | BadJOSEException | JOSEException e) {
            throw new InvalidTokenException(e.getMessage(), e);
        }
        Object name = claims.getClaim(config.nameClaim());
        if (!(name instanceof String n) || n.isBlank()) {
            throw new InvalidTokenException("claim '" + config.nameClaim() + "' is missing or not a string", null);
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String value : strings(claims.getClaim(config.rolesClaim()))) {
            String last = value.substring(value.lastIndexOf('.') + 1);
            Role.parse(last).ifPresent(roles::add);
        }
        Set<String> tenants = new HashSet<>();
        for (String value : strings(claims.getClaim(config.tenantsClaim()))) {
            if (Names.isTenant(value)) {
                tenants.add(value);
            }
        }
        String printable = n.replaceAll("\\p{Cntrl}", "?");
        return new Principal(printable.length() > 256 ? printable.substring(0, 256) : printable, tenants, roles);
    }

    private static List<String> strings(Object claim) {
        List<String> out = new ArrayList<>();
        if (claim instanceof String s) {
            for (String part : s.split("[\\s,]+")) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
        } else if (claim instanceof Collection<?> c) {
            for (Object o : c) {
                if (o instanceof String s && !s.isBlank()) {
                    out.add(s.trim());
                }
            }
        }
        return out;
    }
}
