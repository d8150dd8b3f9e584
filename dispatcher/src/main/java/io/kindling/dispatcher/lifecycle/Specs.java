package io.kindling.dispatcher.lifecycle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.Json;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A spec's fingerprint: sha256 of its JSON with map keys sorted, so equal specs hash alike whatever their key order. */
final class Specs {
    private static final ObjectWriter CANONICAL = Json.mapper().writer().with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private Specs() {
    }

    static String sha256(JobSpec spec) {
        if (spec == null) {
            return null;
        }
        try {
            byte[] canonical = CANONICAL.writeValueAsBytes(spec);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot fingerprint a spec", e);
        }
    }
}
