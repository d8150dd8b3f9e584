package io.kindling.api.auth;

import io.kindling.common.config.ConfigException;
import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.EnvConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;

/**
 * How the api authenticates requests: static tokens ({@code tokensFile}), OIDC JWTs ({@code oidc}),
 * both, or (loopback only) not at all. At least one is required unless {@code disabled}.
 *
 * @param tokensFile the static tokens file, or null
 * @param oidc       OIDC settings, or null
 * @param disabled   {@code KINDLING_AUTH_DISABLED}: every request acts as an admin (loopback only)
 */
public record AuthConfig(Path tokensFile, OidcConfig oidc, boolean disabled) {
    public static final ConfigParameter<String> TOKENS_FILE = ConfigParameter.string("KINDLING_AUTH_TOKENS_FILE", null,
            "YAML file of static API tokens: tokens: [{name, sha256, tenants, roles}] (re-read when it changes)");
    public static final ConfigParameter<Boolean> DISABLED = ConfigParameter.bool("KINDLING_AUTH_DISABLED", false,
            "no authentication at all (every caller is an admin); refused unless the api binds a loopback address");
    public static final ConfigParameter<String> OIDC_ISSUER = ConfigParameter.string("KINDLING_OIDC_ISSUER", null,
            "issuer (iss) of accepted OIDC bearer tokens; enables JWT authentication");
    public static final ConfigParameter<String> OIDC_AUDIENCE = ConfigParameter.string("KINDLING_OIDC_AUDIENCE", null,
            "audience (aud) accepted OIDC tokens must include (required with KINDLING_OIDC_ISSUER)");
    public static final ConfigParameter<String> OIDC_JWKS_URL = ConfigParameter.string("KINDLING_OIDC_JWKS_URL", null,
            "the issuer's JWKS URL (required with KINDLING_OIDC_ISSUER)");
    public static final ConfigParameter<String> OIDC_NAME_CLAIM = ConfigParameter.string("KINDLING_OIDC_NAME_CLAIM", "sub",
            "claim naming the principal");
    public static final ConfigParameter<String> OIDC_TENANTS_CLAIM = ConfigParameter.string("KINDLING_OIDC_TENANTS_CLAIM",
            "tenants", "claim listing the principal's tenants");
    public static final ConfigParameter<String> OIDC_ROLES_CLAIM = ConfigParameter.string("KINDLING_OIDC_ROLES_CLAIM",
            "roles", "claim listing the principal's roles (submit, read, cancel, admin)");

    public static final List<ConfigParameter<?>> PARAMETERS = List.of(TOKENS_FILE, DISABLED, OIDC_ISSUER, OIDC_AUDIENCE,
            OIDC_JWKS_URL, OIDC_NAME_CLAIM, OIDC_TENANTS_CLAIM, OIDC_ROLES_CLAIM);

    /** No authentication configured yet (the embedded launcher then creates an admin token). */
    public boolean unconfigured() {
        return tokensFile == null && oidc == null && !disabled;
    }

    /**
     * This configuration, if it says how to authenticate.
     *
     * @throws ConfigException naming the keys when neither tokens nor OIDC are configured nor authentication disabled
     */
    public AuthConfig requireConfigured() {
        if (unconfigured()) {
            throw new ConfigException("no authentication configured: set " + TOKENS_FILE.name() + " (static tokens) and/or "
                    + OIDC_ISSUER.name() + " (OIDC), or " + DISABLED.name() + "=true on a loopback address");
        }
        return this;
    }

    /**
     * Reads the keys.
     *
     * @param host the address the api binds, checked when authentication is disabled
     * @throws ConfigException naming the key when the settings are incomplete or unsafe
     */
    public static AuthConfig from(EnvConfig config, String host) {
        String file = blankToNull(config.get(TOKENS_FILE));
        String issuer = blankToNull(config.get(OIDC_ISSUER));
        OidcConfig oidc = null;
        if (issuer != null) {
            String audience = blankToNull(config.get(OIDC_AUDIENCE));
            String jwks = blankToNull(config.get(OIDC_JWKS_URL));
            if (audience == null || jwks == null) {
                throw new ConfigException(OIDC_ISSUER.name() + " is set: " + OIDC_AUDIENCE.name() + " and "
                        + OIDC_JWKS_URL.name() + " are required too");
            }
            oidc = new OidcConfig(issuer, audience, jwks, config.get(OIDC_NAME_CLAIM), config.get(OIDC_TENANTS_CLAIM),
                    config.get(OIDC_ROLES_CLAIM));
        } else if (blankToNull(config.get(OIDC_JWKS_URL)) != null || blankToNull(config.get(OIDC_AUDIENCE)) != null) {
            throw new ConfigException(OIDC_ISSUER.name() + " is required with " + OIDC_JWKS_URL.name() + " and "
                    + OIDC_AUDIENCE.name());
        }
        boolean disabled = config.get(DISABLED);
        if (disabled && !isLoopback(host)) {
            throw new ConfigException(DISABLED.name() + "=true is accepted only when the api listens on a loopback"
                    + " address (KINDLING_HTTP_HOST=127.0.0.1 or ::1), not '" + host + "': anyone who can reach the api"
                    + " could run code on the workers. Configure " + TOKENS_FILE.name() + " or OIDC instead");
        }
        return new AuthConfig(file == null ? null : Path.of(file), oidc, disabled);
    }

    /** True if {@code host} is a loopback address (a name is resolved; a wildcard address is not loopback). */
    public static boolean isLoopback(String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        try {
            InetAddress[] all = InetAddress.getAllByName(host.trim());
            for (InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
