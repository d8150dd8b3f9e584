package io.kindling.api.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An OIDC issuer for tests: RSA keys generated here, their public JWKS served on loopback by the
 * JDK's HTTP server (port from the OS), and tokens signed with them. {@link #rotate()} replaces
 * the served key set, as an issuer rotating its keys does.
 */
public final class TestJwks implements AutoCloseable {
    public static final String ISSUER = "https://issuer.kindling.test";
    public static final String AUDIENCE = "kindling-api";

    private final HttpServer server;
    private final AtomicReference<RSAKey> current = new AtomicReference<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private int generation;

    public TestJwks() throws IOException {
        current.set(newKey());
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jwks", exchange -> {
            fetches.incrementAndGet();
            byte[] body = new JWKSet(current.get().toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
    }

    /** How often the JWKS was fetched. */
    public int fetches() {
        return fetches.get();
    }

    /** The key tokens are signed with now. */
    public RSAKey key() {
        return current.get();
    }

    /** Serves a new key (and only it) from now on; returns it. */
    public synchronized RSAKey rotate() {
        RSAKey next = newKey();
        current.set(next);
        return next;
    }

    /** A key the issuer never published. */
    public static RSAKey unknownKey() {
        try {
            return new RSAKeyGenerator(2048).keyID("unknown").generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private synchronized RSAKey newKey() {
        try {
            return new RSAKeyGenerator(2048).keyID("key-" + (++generation)).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token of {@code subject} with the given tenants and roles, valid for 10 minutes. */
    public String token(String subject, List<String> tenants, List<String> roles) {
        return token(current.get(), AUDIENCE, subject, tenants, roles, Instant.now().plus(Duration.ofMinutes(10)));
    }

    public static String token(RSAKey key, String audience, String subject, List<String> tenants, List<String> roles,
            Instant expires) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(audience)
                .subject(subject)
                .issueTime(Date.from(Instant.now().minusSeconds(600)))
                .expirationTime(Date.from(expires))
                .claim("tenants", tenants)
                .claim("roles", roles)
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        try {
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
