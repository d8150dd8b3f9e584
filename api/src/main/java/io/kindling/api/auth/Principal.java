package io.kindling.api.auth;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who made a request: a static token's {@code name} or a JWT's name claim, the tenants it acts in
 * and its roles. An {@link Role#ADMIN} acts in every tenant with every role.
 */
public record Principal(String name, Set<String> tenants, Set<Role> roles) {
    /** The principal of every request when authentication is disabled (loopback only). */
    public static final Principal ANONYMOUS_ADMIN = new Principal("anonymous", Set.of("default"), Set.of(Role.ADMIN));

    public Principal {
        Objects.requireNonNull(name, "name");
        tenants = Set.copyOf(new TreeSet<>(tenants == null ? Set.of() : tenants));
        roles = roles == null || roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
    }

    public boolean admin() {
        return roles.contains(Role.ADMIN);
    }

    /** True if the principal holds {@code role} (an admin holds every role). */
    public boolean has(Role role) {
        return admin() || roles.contains(role);
    }

    /** True if the principal may see objects of {@code tenant}. */
    public boolean actsIn(String tenant) {
        return admin() || tenants.contains(tenant);
    }

    /** The tenants in a stable order, for messages. */
    public List<String> sortedTenants() {
        return List.copyOf(new TreeSet<>(tenants));
    }
}
