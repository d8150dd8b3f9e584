package io.kindling.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OIDC tokens checked against a JWKS served on loopback, with keys generated here and rotated. */
class JwtAuthenticatorTest {
    private TestJwks issuer;
    private JwtAuthenticator jwt;

    @BeforeEach
    void start() throws Exception {
        issuer = new TestJwks();
        jwt = new JwtAuthenticator(config(issuer.url()), Duration.ofMillis(1));
    }

    @AfterEach
    void stop() {
        issuer.close();
    }

    private static OidcConfig config(String jwksUrl) {
        return new OidcConfig(TestJwks.ISSUER, TestJwks.AUDIENCE, jwksUrl, "sub", "tenants", "roles");
    }

    @Test
    void aValidTokenNamesThePrincipalItsTenantsAndRoles() throws Exception {
        Principal p = jwt.authenticate(issuer.token("airflow@acme", List.of("acme", "NOT A TENANT"),
                List.of("Kindling.Submit", "read", "unknown-role")));
        assertThat(p.name()).isEqualTo("airflow@acme");
        assertThat(p.tenants()).containsExactly("acme");
        assertThat(p.roles()).containsExactlyInAnyOrder(Role.SUBMIT, Role.READ);
        assertThat(p.admin()).isFalse();
    }

    @Test
    void expiredWrongAudienceWrongIssuerUnknownKeyAndUnsignedTokensAreRefused() throws Exception {
        RSAKey key = issuer.key();
        Instant later = Instant.now().plusSeconds(600);
        assertThatThrownBy(() -> jwt.authenticate(TestJwks.token(key, TestJwks.AUDIENCE, "a", List.of(), List.of(),
                Instant.now().minusSeconds(300)))).isInstanceOf(JwtAuthenticator.InvalidTokenException.class)
                .hasMessageContaining("xpired");
        assertThatThrownBy(() -> jwt.authenticate(TestJwks.token(key, "someone-else", "a", List.of(), List.of(), later)))
                .isInstanceOf(JwtAuthenticator.InvalidTokenException.class).hasMessageContaining("aud");
        assertThatThrownBy(() -> jwt.authenticate(TestJwks.token(TestJwks.unknownKey(), TestJwks.AUDIENCE, "a", List.of(),
                List.of(), later))).isInstanceOf(JwtAuthenticator.InvalidTokenException.class);

        JWTClaimsSet otherIssuer = new JWTClaimsSet.Builder().issuer("https://evil.example").audience(TestJwks.AUDIENCE)
                .subject("a").expirationTime(Date.from(later)).build();
        SignedJWT signed = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), otherIssuer);
        signed.sign(new com.nimbusds.jose.crypto.RSASSASigner(key));
        assertThatThrownBy(() -> jwt.authenticate(signed.serialize()))
                .isInstanceOf(JwtAuthenticator.InvalidTokenException.class).hasMessageContaining("iss");

        JWTClaimsSet good = new JWTClaimsSet.Builder().issuer(TestJwks.ISSUER).audience(TestJwks.AUDIENCE).subject("a")
                .claim("roles", List.of("admin")).expirationTime(Date.from(later)).build();
        assertThatThrownBy(() -> jwt.authenticate(new PlainJWT(good).serialize()))
                .isInstanceOf(JwtAuthenticator.InvalidTokenException.class);
        SignedJWT hmac = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), good);
        hmac.sign(new MACSigner("a shared secret that is at least 256 bits long!!"));
        assertThatThrownBy(() -> jwt.authenticate(hmac.serialize()))
                .isInstanceOf(JwtAuthenticator.InvalidTokenException.class);
        assertThatThrownBy(() -> jwt.authenticate("not.a.jwt")).isInstanceOf(JwtAuthenticator.InvalidTokenException.class);
    }

    @Test
    void aRotatedKeyIsFetchedAndTheRetiredOneNoLongerAccepted() throws Exception {
        RSAKey first = issuer.key();
        String before = issuer.token("svc", List.of("acme"), List.of("read"));
        assertThat(jwt.authenticate(before).name()).isEqualTo("svc");
        int fetches = issuer.fetches();
        assertThat(fetches).isEqualTo(1);
        // cached: no new fetch for a known key
        jwt.authenticate(issuer.token("svc", List.of("acme"), List.of("read")));
        assertThat(issuer.fetches()).isEqualTo(1);

        RSAKey second = issuer.rotate();
        assertThat(second.getKeyID()).isNotEqualTo(first.getKeyID());
        assertThat(jwt.authenticate(issuer.token("svc", List.of("acme"), List.of("cancel"))).roles())
                .isEqualTo(Set.of(Role.CANCEL));
        assertThat(issuer.fetches()).isGreaterThan(fetches);
        String old = TestJwks.token(first, TestJwks.AUDIENCE, "svc", List.of("acme"), List.of("read"),
                Instant.now().plusSeconds(600));
        assertThatThrownBy(() -> jwt.authenticate(old)).isInstanceOf(JwtAuthenticator.InvalidTokenException.class);
    }

    @Test
    void anUnreachableJwksIsAnOutageNotABadToken() throws Exception {
        String token = issuer.token("svc", List.of("acme"), List.of("read"));
        String url = issuer.url();
        issuer.close();
        JwtAuthenticator offline = new JwtAuthenticator(config(url), Duration.ofMillis(1));
        assertThatThrownBy(() -> offline.authenticate(token)).isInstanceOf(JwtAuthenticator.KeysUnavailableException.class);
    }

    @Test
    void onlyThreePartTokensLookLikeJwts() {
        assertThat(JwtAuthenticator.looksLikeJwt("a.b.c")).isTrue();
        assertThat(JwtAuthenticator.looksLikeJwt("kt_abcdef")).isFalse();
        assertThat(JwtAuthenticator.looksLikeJwt("a.b")).isFalse();
        assertThat(JwtAuthenticator.looksLikeJwt("a..c")).isFalse();
        assertThat(JwtAuthenticator.looksLikeJwt("a.b.c.d")).isFalse();
    }
}
