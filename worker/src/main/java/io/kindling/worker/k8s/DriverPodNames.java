package io.kindling.worker.k8s;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The names of an attempt's Kubernetes objects, all derived from its attempt id
 * ({@code <jobId>-a<n>}), so that a restarted worker finds the same objects again.
 *
 * <p>The base is {@code kd-<attemptId>} (a DNS-1035 label: it starts with a letter, so Services
 * may carry it too) when that is at most {@value #MAX_BASE} characters of {@code [a-z0-9-]};
 * otherwise {@code kd-<12 hex of sha256(attemptId)>-a<n>}. {@value #MAX_BASE} is what Spark
 * accepts as an executor pod name prefix, and leaves room for every suffix below 63.
 * The full ids are kept in annotations; labels carry them when they are valid label values.
 */
public record DriverPodNames(String attemptId, String base) {
    static final int MAX_BASE = 47;
    private static final Pattern DNS_LABEL_CHARS = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?");
    private static final Pattern ATTEMPT_SUFFIX = Pattern.compile("-a([0-9]{1,9})$");

    public static DriverPodNames of(String attemptId) {
        String direct = "kd-" + attemptId;
        if (direct.length() <= MAX_BASE && DNS_LABEL_CHARS.matcher(attemptId).matches()) {
            return new DriverPodNames(attemptId, direct);
        }
        var suffix = ATTEMPT_SUFFIX.matcher(attemptId);
        String attempt = suffix.find() ? "-a" + suffix.group(1) : "";
        return new DriverPodNames(attemptId, "kd-" + hash(attemptId, 12) + attempt);
    }

    public String driverPod() {
        return base + "-driver";
    }

    public String configMap() {
        return base + "-conf";
    }

    /** The headless Service that gives the driver a stable DNS name for its executors. */
    public String driverService() {
        return base + "-svc";
    }

    public String uiService() {
        return base + "-ui";
    }

    /** A session's Secret: its relay agent's secret and CA (docs/sessions.md). */
    public String relaySecret() {
        return base + "-relay";
    }

    public String ingress() {
        return base + "-ui";
    }

    /** The driver's host name as executors resolve it. */
    public String driverHost(String namespace) {
        return driverService() + "." + namespace + ".svc";
    }

    /**
     * {@code value} if it is a valid label value, else a shortened form that is (a prefix and a
     * hash); the full value then lives in an annotation of the same key.
     */
    public static String labelValue(String value) {
        if (LABEL_VALUE.matcher(value).matches()) {
            return value;
        }
        String kept = value.replaceAll("[^A-Za-z0-9._-]", "").replaceAll("^[^A-Za-z0-9]+", "");
        kept = kept.substring(0, Math.min(kept.length(), 40)).replaceAll("[^A-Za-z0-9]+$", "");
        return (kept.isEmpty() ? "" : kept + "-") + hash(value, 12);
    }

    private static String hash(String value, int hexChars) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, hexChars);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
