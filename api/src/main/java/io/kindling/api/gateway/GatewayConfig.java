package io.kindling.api.gateway;

import java.nio.file.Path;

/**
 * The session gateway's listeners: notebook clients (gRPC over TLS) on {@code clientPort}, relay
 * agents (TLS) on {@code agentPort}, both on {@code host} with the certificate chain and private
 * key in PEM files (see {@link GatewayCertificates}). Port 0 picks a free port.
 */
public record GatewayConfig(String host, int clientPort, int agentPort, Path certificateChain, Path privateKey) {
}
