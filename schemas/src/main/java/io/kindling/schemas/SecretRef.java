package io.kindling.schemas;

/**
 * A secret named by reference: key {@code key} of secret {@code secret}. The request carries only
 * the reference; the value is injected at launch (a Kubernetes {@code secretKeyRef}, or the
 * worker's secrets directory) and never appears in events, logs, the api or a command line.
 */
public record SecretRef(String secret, String key) {
}
