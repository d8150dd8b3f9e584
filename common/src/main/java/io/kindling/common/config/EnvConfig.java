package io.kindling.common.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** Reads {@link ConfigParameter}s from an environment map ({@code System.getenv()} in Main, {@code Map.of} in tests). */
public final class EnvConfig {
    /** Every key Kindling reads starts with this. */
    public static final String PREFIX = "KINDLING_";
    private static final String REDACTED = "***";

    private final Map<String, String> env;

    public EnvConfig(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The parsed value, or the default; a missing required key or a bad value fails naming the key. */
    public <T> T get(ConfigParameter<T> p) {
        String raw = raw(p).orElse(null);
        if (raw == null) {
            if (p.required()) {
                throw new ConfigException("missing required configuration " + p.name() + " (" + p.description() + ")");
            }
            return null;
        }
        try {
            return p.parser().apply(raw);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid value for " + p.name() + ": " + e.getMessage()
                    + (p.secret() ? "" : " (was '" + raw + "')"));
        }
    }

    /** The raw value, else the default; empty strings count as unset. */
    public Optional<String> raw(ConfigParameter<?> p) {
        String value = env.get(p.name());
        if (value == null || value.isEmpty()) {
            value = p.defaultValue();
        }
        return Optional.ofNullable(value);
    }

    /**
     * Fails on any {@code KINDLING_*} key that no component declares: a typo must not be ignored.
     */
    public void rejectUnknown(Collection<String> known) {
        TreeSet<String> unknown = new TreeSet<>();
        for (String key : env.keySet()) {
            if (key.startsWith(PREFIX) && !known.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new ConfigException("unknown configuration " + String.join(", ", unknown)
                    + " (see docs/configuration.md for the keys Kindling reads)");
        }
    }

    /** One line per parameter with its effective value, secrets redacted: for the start-up log. */
    public String describe(List<ConfigParameter<?>> parameters) {
        List<String> lines = new ArrayList<>();
        for (ConfigParameter<?> p : parameters) {
            String value = raw(p).map(v -> p.secret() ? REDACTED : v).orElse("(unset)");
            lines.add("  " + p.name() + "=" + value);
        }
        return String.join("\n", lines);
    }
}
