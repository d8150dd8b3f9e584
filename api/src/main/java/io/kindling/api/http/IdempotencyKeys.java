package io.kindling.api.http;

import io.kindling.schemas.JobSpec;
import io.kindling.schemas.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Idempotent submission. The id of a job submitted with an idempotency key is derived from the
 * tenant and the key, {@code "k" + base32(sha256(tenant + "\n" + key))[0..25)} (RFC 4648 alphabet,
 * lowercase, no padding: 125 bits), so the same key names the same job on every api instance and
 * after every restart, and the id matches {@link io.kindling.schemas.Names#JOB_ID}. Two requests are the same
 * when their specs have the same canonical form: the JSON of the record ({@link JobSpec} sorts its
 * maps, so the form does not depend on the order fields or entries were written in).
 */
public final class IdempotencyKeys {
    static final String PREFIX = "k";
    static final int HASH_CHARS = 25;
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    private IdempotencyKeys() {
    }

    /** The job id that {@code key} names for {@code tenant}. */
    public static String jobId(String tenant, String key) {
        byte[] digest = sha256((tenant + "\n" + key).getBytes(StandardCharsets.UTF_8));
        return PREFIX + base32(digest).substring(0, HASH_CHARS);
    }

    /** True if both specs describe the same request. */
    public static boolean sameRequest(JobSpec a, JobSpec b) {
        return Arrays.equals(canonical(a), canonical(b));
    }

    static byte[] canonical(JobSpec spec) {
        return Json.encode(spec);
    }

    /** RFC 4648 base32, lowercase, without padding. */
    static String base32(byte[] bytes) {
        StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xFF);
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32[(buffer >>> (bits - 5)) & 0x1F]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(BASE32[(buffer << (5 - bits)) & 0x1F]);
        }
        return out.toString();
    }

    private static byte[] sha256(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
