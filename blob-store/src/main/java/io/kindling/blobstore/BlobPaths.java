package io.kindling.blobstore;

import java.util.Objects;
import java.util.Set;

/**
 * The rules for blob paths. Tenant and job ids reach paths from users, so this is a security
 * boundary: a path is one or more '/'-separated segments of [A-Za-z0-9._=-], none empty, none
 * "." or "..", at most {@value #MAX_LENGTH} characters in all.
 */
public final class BlobPaths {

    public static final int MAX_LENGTH = 1024;
    private static final Set<String> DOT_SEGMENTS = Set.of(".", "..");

    private BlobPaths() {
    }

    /** The path itself, or IllegalArgumentException naming it. */
    public static String requireValid(String path) {
        Objects.requireNonNull(path, "path");
        String problem = problem(path);
        if (problem != null) {
            throw new IllegalArgumentException("Invalid blob path '" + printable(path) + "': " + problem);
        }
        return path;
    }

    /** A list prefix: empty, or a valid path, optionally ending in '/'. */
    public static String requireValidPrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.isEmpty()) {
            return prefix;
        }
        String path = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        String problem = problem(path);
        if (problem != null) {
            throw new IllegalArgumentException("Invalid blob path prefix '" + printable(prefix) + "': " + problem);
        }
        return prefix;
    }

    public static boolean isValid(String path) {
        return path != null && problem(path) == null;
    }

    /** True if name can be one segment of a path. */
    public static boolean isValidSegment(String name) {
        return name != null && segmentProblem(name) == null;
    }

    private static String problem(String path) {
        if (path.isEmpty()) {
            return "it is empty";
        }
        if (path.length() > MAX_LENGTH) {
            return "it is longer than " + MAX_LENGTH + " characters";
        }
        if (path.startsWith("/")) {
            return "it must be relative (no leading '/')";
        }
        for (String segment : path.split("/", -1)) {
            String problem = segmentProblem(segment);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private static String segmentProblem(String segment) {
        if (segment.isEmpty()) {
            return "empty segment";
        }
        if (DOT_SEGMENTS.contains(segment)) {
            return "'" + segment + "' segment";
        }
        for (int i = 0; i < segment.length(); i++) {
            if (!allowed(segment.charAt(i))) {
                return "character " + describe(segment.charAt(i)) + " is not allowed (only A-Z a-z 0-9 . _ = -)";
            }
        }
        return null;
    }

    private static boolean allowed(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '=' || c == '-';
    }

    private static String describe(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    /** The path with control characters escaped, so an error message cannot forge log lines. */
    private static String printable(String path) {
        String shown = path.length() > 200 ? path.substring(0, 200) + "..." : path;
        StringBuilder out = new StringBuilder(shown.length());
        shown.chars().forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.append((char) c);
            }
        });
        return out.toString();
    }
}
