package io.kindling.common.kafka;

import io.kindling.common.config.ConfigException;
import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.EnvConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The client security settings every Kafka client of Kindling gets: SASL (SCRAM-SHA-256/512,
 * OAUTHBEARER, PLAIN) over SSL or plaintext, SSL with client certificates, and a pass-through file
 * of client properties. Secrets are only ever read from files, at start-up, and never logged:
 * {@link #describe()} redacts them and {@link #toString()} names no value.
 */
public final class KafkaSecurity {
    static final String PREFIX = "KINDLING_KAFKA_";
    private static final Set<String> PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    private static final Set<String> MECHANISMS = Set.of("SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER", "PLAIN");
    /** Property names whose values are secrets: redacted whenever the properties are described. */
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(password|secret|jaas|credential|token|\\.key$|key\\.pem|certificate\\.chain).*");
    private static final String REDACTED = "***";
    private static final String SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule";
    private static final String PLAIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule";
    private static final String OAUTH_MODULE = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule";
    private static final String OAUTH_LOGIN_HANDLER =
            "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler";

    public static final ConfigParameter<String> SECURITY_PROTOCOL = ConfigParameter.string(PREFIX + "SECURITY_PROTOCOL",
            "PLAINTEXT", "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL");
    public static final ConfigParameter<String> SASL_MECHANISM = ConfigParameter.string(PREFIX + "SASL_MECHANISM",
            null, "SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or PLAIN (required with a SASL_* protocol)");
    public static final ConfigParameter<String> SASL_USERNAME = ConfigParameter.string(PREFIX + "SASL_USERNAME",
            null, "SASL user name (SCRAM, PLAIN)");
    public static final ConfigParameter<String> SASL_PASSWORD_FILE = ConfigParameter.string(PREFIX + "SASL_PASSWORD_FILE",
            null, "file holding the SASL password (SCRAM, PLAIN)");
    public static final ConfigParameter<String> OAUTH_TOKEN_ENDPOINT = ConfigParameter.string(
            PREFIX + "SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL", null, "OAuth token endpoint (OAUTHBEARER, client credentials)");
    public static final ConfigParameter<String> OAUTH_CLIENT_ID = ConfigParameter.string(
            PREFIX + "SASL_OAUTHBEARER_CLIENT_ID", null, "OAuth client id (OAUTHBEARER)");
    public static final ConfigParameter<String> OAUTH_CLIENT_SECRET_FILE = ConfigParameter.string(
            PREFIX + "SASL_OAUTHBEARER_CLIENT_SECRET_FILE", null, "file holding the OAuth client secret (OAUTHBEARER)");
    public static final ConfigParameter<String> OAUTH_SCOPE = ConfigParameter.string(
            PREFIX + "SASL_OAUTHBEARER_SCOPE", null, "OAuth scope (OAUTHBEARER), e.g. api://kafka/.default");
    public static final ConfigParameter<String> TRUSTSTORE_LOCATION = ConfigParameter.string(
            PREFIX + "SSL_TRUSTSTORE_LOCATION", null, "trust store of the brokers' CA (SSL, SASL_SSL)");
    public static final ConfigParameter<String> TRUSTSTORE_TYPE = ConfigParameter.string(
            PREFIX + "SSL_TRUSTSTORE_TYPE", null, "JKS, PKCS12 or PEM (Kafka's default: JKS)");
    public static final ConfigParameter<String> TRUSTSTORE_PASSWORD_FILE = ConfigParameter.string(
            PREFIX + "SSL_TRUSTSTORE_PASSWORD_FILE", null, "file holding the trust store password");
    public static final ConfigParameter<String> KEYSTORE_LOCATION = ConfigParameter.string(
            PREFIX + "SSL_KEYSTORE_LOCATION", null, "key store with the client certificate (mutual TLS)");
    public static final ConfigParameter<String> KEYSTORE_TYPE = ConfigParameter.string(
            PREFIX + "SSL_KEYSTORE_TYPE", null, "JKS, PKCS12 or PEM (Kafka's default: JKS)");
    public static final ConfigParameter<String> KEYSTORE_PASSWORD_FILE = ConfigParameter.string(
            PREFIX + "SSL_KEYSTORE_PASSWORD_FILE", null, "file holding the key store password");
    public static final ConfigParameter<String> KEY_PASSWORD_FILE = ConfigParameter.string(
            PREFIX + "SSL_KEY_PASSWORD_FILE", null, "file holding the private key's password, if it differs");
    public static final ConfigParameter<String> ENDPOINT_IDENTIFICATION = ConfigParameter.string(
            PREFIX + "SSL_ENDPOINT_IDENTIFICATION_ALGORITHM", null, "https (Kafka's default) or none to skip the broker host name check");
    public static final ConfigParameter<String> PROPERTIES_FILE = ConfigParameter.string(PREFIX + "PROPERTIES_FILE",
            null, "Java properties file of further Kafka client settings, applied to every client");

    public static final List<ConfigParameter<?>> PARAMETERS = List.of(SECURITY_PROTOCOL, SASL_MECHANISM, SASL_USERNAME,
            SASL_PASSWORD_FILE, OAUTH_TOKEN_ENDPOINT, OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET_FILE, OAUTH_SCOPE,
            TRUSTSTORE_LOCATION, TRUSTSTORE_TYPE, TRUSTSTORE_PASSWORD_FILE, KEYSTORE_LOCATION, KEYSTORE_TYPE,
            KEYSTORE_PASSWORD_FILE, KEY_PASSWORD_FILE, ENDPOINT_IDENTIFICATION, PROPERTIES_FILE);

    /** No security: plaintext, no authentication (the embedded default). */
    public static final KafkaSecurity NONE = new KafkaSecurity(Map.of());

    private final Map<String, String> properties;

    private KafkaSecurity(Map<String, String> properties) {
        this.properties = Map.copyOf(properties);
    }

    /** Client properties as given, e.g. by a test: {@code security.protocol}, {@code sasl.jaas.config}, … */
    public static KafkaSecurity of(Map<String, String> clientProperties) {
        return new KafkaSecurity(clientProperties);
    }

    /** SASL/SCRAM with a user and password (tests and tools that hold the password in memory). */
    public static KafkaSecurity scram(String protocol, String mechanism, String username, String password) {
        return new KafkaSecurity(Map.of("security.protocol", protocol, "sasl.mechanism", mechanism,
                "sasl.jaas.config", jaas(SCRAM_MODULE, Map.of("username", username, "password", password))));
    }

    /** Reads the settings, and the secrets from their files; fails naming the key when one is unusable. */
    public static KafkaSecurity from(EnvConfig env) {
        Map<String, String> p = new TreeMap<>();
        String file = env.get(PROPERTIES_FILE);
        if (file != null) {
            p.putAll(readProperties(PROPERTIES_FILE, file));
        }
        String protocol = env.get(SECURITY_PROTOCOL).trim().toUpperCase(Locale.ROOT);
        if (!PROTOCOLS.contains(protocol)) {
            throw new ConfigException("invalid value for " + SECURITY_PROTOCOL.name() + ": expected one of "
                    + new java.util.TreeSet<>(PROTOCOLS) + " (was '" + protocol + "')");
        }
        if (!protocol.equals("PLAINTEXT") || !p.containsKey("security.protocol")) {
            p.put("security.protocol", protocol);
        }
        String mechanism = env.get(SASL_MECHANISM);
        if (protocol.startsWith("SASL_")) {
            sasl(env, mechanism, p);
        } else if (mechanism != null) {
            throw new ConfigException(SASL_MECHANISM.name() + " is set but " + SECURITY_PROTOCOL.name() + " is "
                    + protocol + "; use SASL_SSL (or SASL_PLAINTEXT)");
        }
        putIfSet(p, "ssl.truststore.location", existingFile(env, TRUSTSTORE_LOCATION));
        putIfSet(p, "ssl.truststore.type", env.get(TRUSTSTORE_TYPE));
        putIfSet(p, "ssl.truststore.password", secret(env, TRUSTSTORE_PASSWORD_FILE));
        putIfSet(p, "ssl.keystore.location", existingFile(env, KEYSTORE_LOCATION));
        putIfSet(p, "ssl.keystore.type", env.get(KEYSTORE_TYPE));
        putIfSet(p, "ssl.keystore.password", secret(env, KEYSTORE_PASSWORD_FILE));
        putIfSet(p, "ssl.key.password", secret(env, KEY_PASSWORD_FILE));
        String algorithm = env.get(ENDPOINT_IDENTIFICATION);
        if (algorithm != null) {
            // "none": no host name check (a broker certificate without the host's name); Kafka reads that as ""
            p.put("ssl.endpoint.identification.algorithm", algorithm.trim().equalsIgnoreCase("none") ? "" : algorithm.trim());
        }
        return new KafkaSecurity(p);
    }

    private static void sasl(EnvConfig env, String mechanism, Map<String, String> p) {
        if (mechanism == null) {
            if (p.containsKey("sasl.mechanism") && p.containsKey("sasl.jaas.config")) {
                return; // fully configured by the properties file
            }
            throw new ConfigException("missing required configuration " + SASL_MECHANISM.name() + " (with "
                    + SECURITY_PROTOCOL.name() + "=" + p.get("security.protocol") + "): one of " + new java.util.TreeSet<>(MECHANISMS));
        }
        mechanism = mechanism.trim().toUpperCase(Locale.ROOT);
        if (!MECHANISMS.contains(mechanism)) {
            throw new ConfigException("invalid value for " + SASL_MECHANISM.name() + ": expected one of "
                    + new java.util.TreeSet<>(MECHANISMS) + " (was '" + mechanism + "')");
        }
        p.put("sasl.mechanism", mechanism);
        if (mechanism.equals("OAUTHBEARER")) {
            String endpoint = env.get(OAUTH_TOKEN_ENDPOINT);
            if (endpoint == null) {
                if (!p.containsKey("sasl.jaas.config")) {
                    throw new ConfigException("missing required configuration " + OAUTH_TOKEN_ENDPOINT.name()
                            + " (with " + SASL_MECHANISM.name() + "=OAUTHBEARER), or sasl.* settings in "
                            + PROPERTIES_FILE.name());
                }
                return;
            }
            Map<String, String> options = new TreeMap<>();
            options.put("clientId", required(env, OAUTH_CLIENT_ID));
            options.put("clientSecret", requiredSecret(env, OAUTH_CLIENT_SECRET_FILE));
            String scope = env.get(OAUTH_SCOPE);
            if (scope != null) {
                options.put("scope", scope);
            }
            p.put("sasl.oauthbearer.token.endpoint.url", endpoint);
            p.put("sasl.login.callback.handler.class", OAUTH_LOGIN_HANDLER);
            p.put("sasl.jaas.config", jaas(OAUTH_MODULE, options));
            return;
        }
        String module = mechanism.equals("PLAIN") ? PLAIN_MODULE : SCRAM_MODULE;
        p.put("sasl.jaas.config", jaas(module, Map.of("username", required(env, SASL_USERNAME),
                "password", requiredSecret(env, SASL_PASSWORD_FILE))));
    }

    /** The client properties to add to every client; contains secrets, never log it (see {@link #describe()}). */
    public Map<String, String> clientProperties() {
        return properties;
    }

    /** True unless the clients connect in plaintext without authentication. */
    public boolean enabled() {
        return !properties.getOrDefault("security.protocol", "PLAINTEXT").equals("PLAINTEXT");
    }

    /** One line per client property, secrets redacted: for the start-up log. */
    public String describe() {
        if (properties.isEmpty()) {
            return "  (plaintext, no authentication)";
        }
        StringBuilder out = new StringBuilder();
        new TreeMap<>(properties).forEach((k, v) -> {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            out.append("  ").append(k).append('=').append(redact(k, v));
        });
        return out.toString();
    }

    static String redact(String key, String value) {
        return SECRET_KEY.matcher(key).matches() ? REDACTED : value;
    }

    @Override
    public String toString() {
        return "KafkaSecurity[" + properties.getOrDefault("security.protocol", "PLAINTEXT")
                + (properties.containsKey("sasl.mechanism") ? " " + properties.get("sasl.mechanism") : "") + "]";
    }

    private static String jaas(String module, Map<String, String> options) {
        StringBuilder s = new StringBuilder(module).append(" required");
        new TreeMap<>(options).forEach((k, v) -> s.append(' ').append(k).append("=\"")
                .append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"'));
        return s.append(';').toString();
    }

    private static String required(EnvConfig env, ConfigParameter<String> p) {
        String value = env.get(p);
        if (value == null || value.isBlank()) {
            throw new ConfigException("missing required configuration " + p.name() + " (" + p.description() + ")");
        }
        return value.trim();
    }

    private static String requiredSecret(EnvConfig env, ConfigParameter<String> p) {
        String value = secret(env, p);
        if (value == null) {
            throw new ConfigException("missing required configuration " + p.name() + " (" + p.description() + ")");
        }
        return value;
    }

    /** The file's content without its trailing line break; the value is never put in a message. */
    private static String secret(EnvConfig env, ConfigParameter<String> p) {
        String file = env.get(p);
        if (file == null) {
            return null;
        }
        try {
            String value = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
            if (value.isEmpty()) {
                throw new ConfigException(p.name() + ": file " + file + " is empty");
            }
            return value;
        } catch (IOException e) {
            throw new ConfigException(p.name() + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static String existingFile(EnvConfig env, ConfigParameter<String> p) {
        String file = env.get(p);
        if (file != null && !Files.isReadable(Path.of(file))) {
            throw new ConfigException(p.name() + ": cannot read " + file);
        }
        return file;
    }

    private static Map<String, String> readProperties(ConfigParameter<String> p, String file) {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            props.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(p.name() + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        Map<String, String> out = new TreeMap<>();
        props.stringPropertyNames().forEach(k -> out.put(k, props.getProperty(k).trim()));
        return out;
    }

    private static void putIfSet(Map<String, String> p, String key, String value) {
        if (value != null && !value.isBlank()) {
            p.put(key, value.trim());
        }
    }
}
