package io.kindling.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.Json;
import io.kindling.schemas.MessageReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdempotencyKeysTest {

    @Test
    void theIdIsKPlus25Base32CharactersOfTheHashOfTenantAndKey() {
        // python3: 'k' + base64.b32encode(sha256(b'acme\nrun-42').digest()).decode().lower()[:25]
        assertThat(IdempotencyKeys.jobId("acme", "run-42")).isEqualTo("krx3jmysi7z4qcjeng4vcmtkyn");
        assertThat(IdempotencyKeys.jobId("default", "nightly")).isEqualTo("kmecm7qhkygv425hm4nhjci73a");
    }

    @Test
    void theSameKeyAlwaysNamesTheSameJobAndTheTenantMatters() {
        String id = IdempotencyKeys.jobId("acme", "run-42");
        assertThat(IdempotencyKeys.jobId("acme", "run-42")).isEqualTo(id);
        assertThat(IdempotencyKeys.jobId("other", "run-42")).isNotEqualTo(id);
        assertThat(IdempotencyKeys.jobId("acme", "run-43")).isNotEqualTo(id);
        assertThat(IdempotencyKeys.jobId("ab", "c")).isNotEqualTo(IdempotencyKeys.jobId("a", "bc"));
    }

    @Test
    void idsAreValidJobIds() {
        for (String key : List.of("x", "run-42", "ünïcode ✓", "k".repeat(200))) {
            String id = IdempotencyKeys.jobId("acme", key);
            assertThat(id).hasSize(26).startsWith("k").matches(io.kindling.schemas.Names.JOB_ID);
        }
    }

    @Test
    void base32IsRfc4648LowercaseWithoutPadding() {
        assertThat(IdempotencyKeys.base32("".getBytes(StandardCharsets.US_ASCII))).isEmpty();
        assertThat(IdempotencyKeys.base32("f".getBytes(StandardCharsets.US_ASCII))).isEqualTo("my");
        assertThat(IdempotencyKeys.base32("fo".getBytes(StandardCharsets.US_ASCII))).isEqualTo("mzxq");
        assertThat(IdempotencyKeys.base32("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo("mzxw6ytboi");
        assertThat(IdempotencyKeys.base32(new byte[32])).hasSize(52);
    }

    @Test
    void theOrderOfMapEntriesAndFieldsDoesNotMakeADifferentRequest() {
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("spark.b", "2");
        conf.put("spark.a", "1");
        JobSpec one = spec(conf, List.of("10"));
        JobSpec two = spec(Map.of("spark.a", "1", "spark.b", "2"), List.of("10"));
        assertThat(IdempotencyKeys.sameRequest(one, two)).isTrue();

        MessageReader reader = new MessageReader();
        JobSpec a = reader.readJobSpec(bytes("""
                {"idempotencyKey": "k", "application": {"type": "python", "file": "/a.py"},
                 "labels": {"x": "1", "tenant": "acme"}}"""));
        JobSpec b = reader.readJobSpec(bytes("""
                {"labels": {"tenant": "acme", "x": "1"},
                 "application": {"file": "/a.py", "type": "python"}, "idempotencyKey": "k"}"""));
        assertThat(IdempotencyKeys.sameRequest(a, b)).isTrue();
        // and it survives the trip through an event
        assertThat(IdempotencyKeys.sameRequest(a, Json.decode(Json.encode(a), JobSpec.class))).isTrue();
    }

    @Test
    void anyChangedValueMakesADifferentRequest() {
        JobSpec base = spec(Map.of("spark.a", "1"), List.of("10"));
        assertThat(IdempotencyKeys.sameRequest(base, spec(Map.of("spark.a", "2"), List.of("10")))).isFalse();
        assertThat(IdempotencyKeys.sameRequest(base, spec(Map.of("spark.a", "1"), List.of("11")))).isFalse();
        assertThat(IdempotencyKeys.sameRequest(base, spec(Map.of("spark.a", "1"), List.of("10", "x")))).isFalse();
    }

    private static JobSpec spec(Map<String, String> conf, List<String> args) {
        return new JobSpec("pi", null, new Application(ApplicationType.PYTHON, "/a.py", null, args), conf, "key-1",
                Map.of("tenant", "acme"), null, null, null, null, null, null, null, null, null);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
