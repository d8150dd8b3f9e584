package io.kindling.api.view;

import io.kindling.schemas.Names;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Objects;

/**
 * A job's place in a listing, newest first: its submission time, then its id (descending, so that
 * jobs submitted in the same instant still have one order). A listing's {@code nextCursor} is the
 * last item's key, {@link #encode() encoded} as base64url (no padding) of
 * {@code <submittedAt ISO-8601> <id>}; clients treat it as opaque.
 */
public record JobCursor(Instant submittedAt, String id) {
    /** Newest first; ties by id, descending. */
    public static final Comparator<JobCursor> NEWEST_FIRST = Comparator.comparing(JobCursor::submittedAt)
            .thenComparing(JobCursor::id).reversed();

    public JobCursor {
        Objects.requireNonNull(submittedAt, "submittedAt");
        Objects.requireNonNull(id, "id");
    }

    public String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((submittedAt + " " + id).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Decodes a cursor this api produced.
     *
     * @throws IllegalArgumentException if {@code text} is not one
     */
    public static JobCursor decode(String text) {
        String plain;
        try {
            plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not a cursor this api returned (not base64url)", e);
        }
        int space = plain.indexOf(' ');
        if (space < 0 || !Names.isJobId(plain.substring(space + 1))) {
            throw new IllegalArgumentException("is not a cursor this api returned");
        }
        try {
            return new JobCursor(Instant.parse(plain.substring(0, space)), plain.substring(space + 1));
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("is not a cursor this api returned (bad time)", e);
        }
    }
}
