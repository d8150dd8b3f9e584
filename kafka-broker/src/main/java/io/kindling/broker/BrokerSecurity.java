package io.kindling.broker;

import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * Authentication and authorization of an embedded broker, as a secured production cluster has
 * them: clients authenticate with SASL/SCRAM (SHA-256 or SHA-512) on the client listener, the
 * KRaft ACL authorizer ({@code StandardAuthorizer}) decides every request, and nothing is allowed
 * without an ACL. {@code adminUser} is the one super user: the broker uses it to talk to itself,
 * and it creates the other users ({@code Admin#alterUserScramCredentials}) and their ACLs.
 *
 * <p>Its SCRAM credential is written when the data directory is formatted (Kafka 4 has no
 * ZooKeeper to hold it before the broker starts); the controller listener uses SASL/PLAIN with
 * the same user, since KRaft controllers do not support SCRAM. Plaintext transport: for tests and
 * the loopback broker only; production clusters use SASL_SSL.
 */
public record BrokerSecurity(String adminUser, String adminPassword, Tls tls) {

    /**
     * A further client listener with TLS and required client certificates (mutual TLS), beside
     * the SASL one: PKCS12 stores sharing one password. A client's principal is its
     * certificate's subject, e.g. {@code User:CN=kindling-worker}.
     */
    public record Tls(java.nio.file.Path keystore, java.nio.file.Path truststore, String password) {
        public Tls {
            Objects.requireNonNull(keystore, "keystore");
            Objects.requireNonNull(truststore, "truststore");
            Objects.requireNonNull(password, "password");
        }
    }

    /** SASL/SCRAM only. */
    public BrokerSecurity(String adminUser, String adminPassword) {
        this(adminUser, adminPassword, null);
    }

    public static final String AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
    static final String CLIENT_LISTENER = "SASL_PLAINTEXT";
    static final String TLS_LISTENER = "SSL";

    public BrokerSecurity {
        Objects.requireNonNull(adminUser, "adminUser");
        Objects.requireNonNull(adminPassword, "adminPassword");
        if (!adminUser.matches("[A-Za-z0-9._-]+") || adminPassword.contains("\"") || adminPassword.contains("\\")
                || adminPassword.contains(",") || adminPassword.contains("]")) {
            throw new IllegalArgumentException("admin user must match [A-Za-z0-9._-]+ and the password must not"
                    + " contain quotes, backslashes, commas or ']'");
        }
    }

    /** The principal the authorizer sees for the admin: {@code User:<adminUser>}. */
    public String adminPrincipal() {
        return "User:" + adminUser;
    }

    Properties brokerProperties(String host, int port, int controllerPort, String controllerListener, int tlsPort) {
        String controller = controllerListener.toLowerCase(java.util.Locale.ROOT);
        Properties p = new Properties();
        String tlsListener = tls == null ? "" : "," + TLS_LISTENER + "://" + host + ":" + tlsPort;
        p.put("listeners", CLIENT_LISTENER + "://" + host + ":" + port + "," + controllerListener + "://" + host + ":"
                + controllerPort + tlsListener);
        p.put("advertised.listeners", CLIENT_LISTENER + "://" + host + ":" + port + tlsListener);
        p.put("listener.security.protocol.map", CLIENT_LISTENER + ":SASL_PLAINTEXT," + controllerListener + ":SASL_PLAINTEXT"
                + (tls == null ? "" : "," + TLS_LISTENER + ":SSL"));
        if (tls != null) {
            String l = "listener.name." + TLS_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".";
            p.put(l + "ssl.keystore.location", tls.keystore().toString());
            p.put(l + "ssl.keystore.type", "PKCS12");
            p.put(l + "ssl.keystore.password", tls.password());
            p.put(l + "ssl.key.password", tls.password());
            p.put(l + "ssl.truststore.location", tls.truststore().toString());
            p.put(l + "ssl.truststore.type", "PKCS12");
            p.put(l + "ssl.truststore.password", tls.password());
            p.put(l + "ssl.client.auth", "required");
        }
        p.put("inter.broker.listener.name", CLIENT_LISTENER);
        // clients and the broker itself: SCRAM
        p.put("sasl.enabled.mechanisms", "SCRAM-SHA-256,SCRAM-SHA-512");
        p.put("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-256");
        String scram = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + adminUser
                + "\" password=\"" + adminPassword + "\";";
        // one login entry per mechanism the listener accepts; the broker's own connections use the 256 one
        p.put("listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config", scram);
        p.put("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config", scram);
        // broker to controller: PLAIN (KRaft controllers cannot check SCRAM: the credentials live in their own log)
        p.put("listener.name." + controller + ".sasl.enabled.mechanisms", "PLAIN");
        p.put("sasl.mechanism.controller.protocol", "PLAIN");
        p.put("listener.name." + controller + ".plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + adminUser
                        + "\" password=\"" + adminPassword + "\" user_" + adminUser + "=\"" + adminPassword + "\";");
        p.put("authorizer.class.name", AUTHORIZER);
        p.put("super.users", adminPrincipal());
        p.put("allow.everyone.if.no.acl.found", "false");
        return p;
    }

    /** {@code kafka-storage format --add-scram} arguments: the admin's credential for both mechanisms. */
    List<String> formatterScramArguments() {
        return List.of(
                "SCRAM-SHA-256=[name=" + adminUser + ",password=" + adminPassword + "]",
                "SCRAM-SHA-512=[name=" + adminUser + ",password=" + adminPassword + "]");
    }
}
