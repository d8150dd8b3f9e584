package io.kindling.common.artifacts;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One uploaded artifact: its tenant, the SHA-256 of its content and its file name. Written as
 * {@code artifact://<tenant>/<sha256>/<name>} and stored content-addressed in the blob store at
 * {@code artifacts/<tenant>/<sha256>/<name>}.
 *
 * <p>Every part is checked here, so a reference can never name a path outside its tenant's
 * artifacts: the tenant and the name are {@code [A-Za-z0-9._-]} (at most 200 characters, not
 * {@code .} or {@code ..}), the hash is 64 lowercase hex digits.
 */
public record ArtifactRef(String tenant, String sha256, String name) {
    public static final String SCHEME = "artifact://";
    public static final String BLOB_PREFIX = "artifacts/";

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public ArtifactRef {
        requireSafe("tenant", tenant);
        requireSafe("name", name);
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256 must be 64 lowercase hex digits");
        }
    }

    /** True if {@code value} names an artifact (whether or not it is a valid reference). */
    public static boolean isArtifact(String value) {
        return value != null && value.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    }

    /** Parses {@code artifact://<tenant>/<sha256>/<name>}; {@link IllegalArgumentException} says what is wrong. */
    public static ArtifactRef parse(String uri) {
        if (!isArtifact(uri)) {
            throw new IllegalArgumentException("not an artifact:// URI");
        }
        String[] parts = uri.substring(SCHEME.length()).split("/", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("an artifact URI is artifact://<tenant>/<sha256>/<name>");
        }
        return new ArtifactRef(parts[0], parts[1].toLowerCase(Locale.ROOT), parts[2]);
    }

    /** True if {@code value} is a valid tenant or file name. */
    public static boolean isSafe(String value) {
        return value != null && SAFE.matcher(value).matches() && !value.equals(".") && !value.equals("..");
    }

    private static void requireSafe(String what, String value) {
        if (!isSafe(value)) {
            throw new IllegalArgumentException(what + " must be 1 to 200 of [A-Za-z0-9._-] and not '.' or '..'");
        }
    }

    /** {@code artifact://<tenant>/<sha256>/<name>}. */
    public String uri() {
        return SCHEME + tenant + "/" + sha256 + "/" + name;
    }

    /** Where the content is in the blob store. */
    public String blobPath() {
        return BLOB_PREFIX + tenant + "/" + sha256 + "/" + name;
    }

    @Override
    public String toString() {
        return uri();
    }
}
