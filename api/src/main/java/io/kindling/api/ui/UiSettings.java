package io.kindling.api.ui;

import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.EnvConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the web UI is told at {@code /ui/config.json}: the OIDC provider to sign in with
 * (authorization code with PKCE), when the api accepts OIDC tokens and a public client is registered
 * for the UI. Without both, the UI offers only the token prompt.
 *
 * @param oidcIssuer   the issuer ({@code KINDLING_OIDC_ISSUER}, the api's own OIDC setting), or null
 * @param oidcClientId the UI's client id at that issuer ({@code KINDLING_UI_OIDC_CLIENT_ID}), or null
 * @param oidcScope    scopes the UI asks for ({@code KINDLING_UI_OIDC_SCOPE})
 * @param historyServerUrl a Spark History Server reading the event logs ({@code KINDLING_UI_HISTORY_SERVER_URL}),
 *                     or null: attempts then link to {@code <url>/history/<spark app id>/}
 */
public record UiSettings(String oidcIssuer, String oidcClientId, String oidcScope, String historyServerUrl) {
    public static final ConfigParameter<String> OIDC_ISSUER = ConfigParameter.string("KINDLING_OIDC_ISSUER", null,
            "issuer (iss) of accepted OIDC bearer tokens");
    public static final ConfigParameter<String> UI_OIDC_CLIENT_ID = ConfigParameter.string("KINDLING_UI_OIDC_CLIENT_ID", null,
            "the web UI's public client id at the OIDC issuer (enables sign-in with the provider in the UI)");
    public static final ConfigParameter<String> UI_OIDC_SCOPE = ConfigParameter.string("KINDLING_UI_OIDC_SCOPE", "openid profile",
            "scopes the web UI asks the OIDC provider for (add the api's scope, e.g. api://kindling/.default on Entra ID)");

    public static final ConfigParameter<String> UI_HISTORY_SERVER_URL = ConfigParameter.string("KINDLING_UI_HISTORY_SERVER_URL",
            null, "a Spark History Server the web UI links attempts to (<url>/history/<app id>/)");

    /** The UI's own keys (the issuer is the api's). */
    public static final List<ConfigParameter<?>> PARAMETERS = List.of(UI_OIDC_CLIENT_ID, UI_OIDC_SCOPE, UI_HISTORY_SERVER_URL);

    public static final UiSettings NONE = new UiSettings(null, null, "openid profile", null);

    public static UiSettings fromEnv(Map<String, String> env) {
        EnvConfig config = new EnvConfig(env);
        return new UiSettings(config.get(OIDC_ISSUER), config.get(UI_OIDC_CLIENT_ID), config.get(UI_OIDC_SCOPE),
                config.get(UI_HISTORY_SERVER_URL));
    }

    /**
     * The body of {@code /ui/config.json}: {@code {"oidc": {authority, clientId, scope} or null,
     * "historyServer": url or null}}.
     */
    public Map<String, Object> toJson() {
        Map<String, Object> body = new LinkedHashMap<>();
        if (oidcIssuer != null && !oidcIssuer.isBlank() && oidcClientId != null && !oidcClientId.isBlank()) {
            body.put("oidc", Map.of("authority", oidcIssuer, "clientId", oidcClientId, "scope", oidcScope));
        } else {
            body.put("oidc", null);
        }
        body.put("historyServer", historyServerUrl == null || historyServerUrl.isBlank() ? null
                : historyServerUrl.replaceAll("/+$", ""));
        return body;
    }
}
