package io.kindling.common.config;

import java.util.function.Function;

/**
 * One configuration key, declared once: its name, how to parse it, its default (null when it
 * has none), whether it is required and whether its value is a secret to redact.
 */
public record ConfigParameter<T>(
        String name, Function<String, T> parser, String defaultValue, boolean required, boolean secret, String description) {

    public static ConfigParameter<String> string(String name, String defaultValue, String description) {
        return new ConfigParameter<>(name, Function.identity(), defaultValue, false, false, description);
    }

    public static ConfigParameter<String> requiredString(String name, String description) {
        return new ConfigParameter<>(name, Function.identity(), null, true, false, description);
    }

    public static ConfigParameter<String> secret(String name, String description) {
        return new ConfigParameter<>(name, Function.identity(), null, false, true, description);
    }

    public static ConfigParameter<Integer> integer(String name, int defaultValue, int min, int max, String description) {
        return new ConfigParameter<>(name, raw -> {
            int value;
            try {
                value = Integer.parseInt(raw.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected an integer");
            }
            if (value < min || value > max) {
                throw new IllegalArgumentException("expected " + min + ".." + max);
            }
            return value;
        }, Integer.toString(defaultValue), false, false, description);
    }

    public static ConfigParameter<Boolean> bool(String name, boolean defaultValue, String description) {
        return new ConfigParameter<>(name, raw -> switch (raw.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        }, Boolean.toString(defaultValue), false, false, description);
    }
}
