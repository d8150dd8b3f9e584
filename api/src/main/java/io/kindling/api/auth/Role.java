package io.kindling.api.auth;

import java.util.Locale;
import java.util.Optional;

/** What a principal may do within its tenants; {@link #ADMIN} is every role in every tenant. */
public enum Role {
    /** Submit jobs, upload artifacts. */
    SUBMIT,
    /** Read jobs, events, logs, event logs and artifacts. */
    READ,
    /** Cancel jobs. */
    CANCEL,
    /** Every role, every tenant. */
    ADMIN;

    /** The role named {@code name} (case-insensitive), if there is one. */
    public static Optional<Role> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(name.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
