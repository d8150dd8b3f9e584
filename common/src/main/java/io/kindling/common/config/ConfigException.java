package io.kindling.common.config;

/** Configuration that cannot be used; the message names the key. Thrown at start-up. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
