package io.kindling.schemas;

import java.util.regex.Pattern;

/**
 * The one Java definition of what a job id and a tenant look like: a name of 1 to 63 lowercase
 * letters, digits and hyphens that starts with a letter or digit. This module's JSON Schemas and
 * OpenAPI document state the same pattern ({@code NamesTest} keeps them equal); every component
 * checks names through this class.
 */
public final class Names {
    /** The pattern's text, unanchored, for building larger patterns (a tenant's topic name). */
    public static final String NAME = "[a-z0-9][a-z0-9-]{0,62}";
    /** What every job id matches. */
    public static final Pattern JOB_ID = Pattern.compile("^" + NAME + "$");
    /** What every tenant matches. */
    public static final Pattern TENANT = JOB_ID;

    private Names() {
    }

    public static boolean isJobId(String id) {
        return id != null && JOB_ID.matcher(id).matches();
    }

    public static boolean isTenant(String tenant) {
        return tenant != null && TENANT.matcher(tenant).matches();
    }
}
