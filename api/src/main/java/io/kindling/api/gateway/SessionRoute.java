package io.kindling.api.gateway;

/**
 * What the gateway needs to know of one session: its tenant (only principals acting in it are
 * admitted) and the SHA-256 (hex) of the secret its relay agent presents.
 */
public record SessionRoute(String sessionId, String tenant, String agentSecretSha256) {
}
