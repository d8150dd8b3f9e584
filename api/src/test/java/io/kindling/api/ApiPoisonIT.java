package io.kindling.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kindling.schemas.JobCommand;
import io.kindling.schemas.MessageLimits;
import io.kindling.schemas.SubmitJob;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP side of the poison family (issue 10 §1): requests of any size, shape and bytes get a
 * 4xx with the one error body naming the reason, nothing reaches the commands topic, and the api
 * stays ready and takes the next valid job.
 */
@ExtendWith(KafkaTestExtension.class)
class ApiPoisonIT {
    private static final String VALID = """
            {"name": "pi", "pool": "%s", "application": {"type": "python", "file": "/apps/pi.py", "args": ["1"]},
             "labels": {"team": "poison"}}
            """;
    private static ApiHarness h;

    @BeforeAll
    static void start(KafkaFixture kafka, @TempDir Path blobDir) throws Exception {
        // many requests in a second: the submit rate limit is not what this test is about
        h = ApiHarness.start(kafka, blobDir, Map.of("KINDLING_POOLS", "default,gpu", "KINDLING_SUBMIT_RATE_PER_SECOND", "100000"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void anUnknownPoolIs400NamingItAndTheKnownPoolsEvenWhenTheRequestIsLarge() throws Exception {
        String body = body("no-such-pool", 800 * 1024);
        HttpResponse<String> r = h.post("/v1/jobs", body, Map.of());

        ApiHarness.assertError(r, 400, "INVALID");
        assertThat(r.body()).contains("no-such-pool", "default, gpu", "$.pool");
        assertThat(submittedSoFar()).noneMatch(c -> c.spec().pool().equals("no-such-pool"));
    }

    @Test
    void theSizeLimitIsTheKafkaRecordLimitLessTheEnvelope() throws Exception {
        // the largest body accepted, padded to the byte, is published and fits a record
        String fits = body("gpu", MessageLimits.SPEC_BYTES);
        assertThat(fits.getBytes(StandardCharsets.UTF_8)).hasSize(MessageLimits.SPEC_BYTES);
        HttpResponse<String> accepted = h.post("/v1/jobs", fits, Map.of());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = ApiHarness.json(accepted).get("id").asText();
        assertThat(h.commands(id)).singleElement().isInstanceOf(SubmitJob.class);

        // one byte more is 413 with the limit in the message
        String tooLarge = body("gpu", MessageLimits.SPEC_BYTES + 1);
        HttpResponse<String> refused = h.post("/v1/jobs", tooLarge, Map.of());
        ApiHarness.assertError(refused, 413, "TOO_LARGE");
        assertThat(refused.body()).contains(Integer.toString(MessageLimits.SPEC_BYTES));
        assertThat(MessageLimits.SPEC_BYTES).isLessThan(MessageLimits.COMMAND_BYTES)
                .isLessThan(MessageLimits.KAFKA_RECORD_BYTES);
    }

    @Test
    void everyKindOfBadRequestIsA4xxWithAReasonAndTheApiStaysHealthy() throws Exception {
        Random random = new Random(7);
        Map<String, HttpResponse<String>> answers = new LinkedHashMap<>();
        for (int size : new int[] {0, 1, 7, 1024, 64 * 1024, MessageLimits.SPEC_BYTES, MessageLimits.SPEC_BYTES + 1,
                2 * MessageLimits.KAFKA_RECORD_BYTES}) {
            byte[] junk = new byte[size];
            random.nextBytes(junk);
            answers.put("random " + size + " bytes", postBytes("/v1/jobs", junk, "application/json"));
        }
        answers.put("invalid UTF-8", postBytes("/v1/jobs", new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'},
                "application/json"));
        answers.put("deep nesting", h.post("/v1/jobs", "[".repeat(200_000), Map.of()));
        answers.put("deep object nesting", h.post("/v1/jobs", "{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000), Map.of()));
        answers.put("a JSON string", h.post("/v1/jobs", "\"job\"", Map.of()));
        answers.put("null", h.post("/v1/jobs", "null", Map.of()));
        answers.put("an array", h.post("/v1/jobs", "[]", Map.of()));
        answers.put("two documents", h.post("/v1/jobs", "{} {}", Map.of()));
        answers.put("wrong types", h.post("/v1/jobs", "{\"name\": 5, \"application\": []}", Map.of()));
        answers.put("unknown field", h.post("/v1/jobs", VALID.formatted("gpu").replace("\"name\"", "\"nmae\""), Map.of()));
        answers.put("huge number", h.post("/v1/jobs", VALID.formatted("gpu").replace("\"name\": \"pi\",",
                "\"priority\": 1" + "0".repeat(5000) + ",\"name\": \"pi\","), Map.of()));
        answers.put("text/plain", postBytes("/v1/jobs", VALID.formatted("gpu").getBytes(StandardCharsets.UTF_8),
                "text/plain"));
        answers.put("no content type", postBytes("/v1/jobs", "{}".getBytes(StandardCharsets.UTF_8), null));
        answers.put("long idempotency key", h.post("/v1/jobs", VALID.formatted("gpu"), Map.of("Idempotency-Key",
                "k".repeat(5000))));
        answers.put("bad limit", h.get("/v1/jobs?limit=-1"));
        answers.put("huge limit", h.get("/v1/jobs?limit=99999999999999999999"));
        answers.put("bad cursor", h.get("/v1/jobs?cursor=%00%01"));
        answers.put("bad state", h.get("/v1/jobs?state=" + "X".repeat(3000)));
        answers.put("bad time", h.get("/v1/jobs?submittedAfter=yesterday"));
        answers.put("long job id", h.get("/v1/jobs/" + "a".repeat(4000)));
        answers.put("odd job id", h.get("/v1/jobs/%2E%2E%2F%2E%2E"));
        answers.put("unknown path", h.get("/v1/nothing-here"));
        answers.put("wrong method", h.send(HttpRequest.newBuilder(URI.create(base() + "/v1/jobs"))
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{}"))));
        answers.put("cancel junk", postBytes("/v1/jobs/some-job/cancel", new byte[] {1, 2, 3}, "application/json"));

        List<String> problems = new ArrayList<>();
        answers.forEach((what, r) -> {
            int status = r.statusCode();
            if (status < 400 || status >= 500) {
                problems.add(what + ": " + status + " " + abbreviate(r.body()));
                return;
            }
            try {
                JsonNode body = ApiHarness.json(r);
                if (body.path("code").asText().isEmpty() || body.path("message").asText().isEmpty()) {
                    problems.add(what + ": no code or message in " + abbreviate(r.body()));
                }
            } catch (Exception e) {
                problems.add(what + ": " + status + " without the JSON error body: " + abbreviate(r.body()));
            }
        });
        assertThat(problems).isEmpty();

        assertThat(h.get("/health/ready").statusCode()).isEqualTo(200);
        HttpResponse<String> valid = h.post("/v1/jobs", VALID.formatted("default"), Map.of());
        assertThat(valid.statusCode()).as(valid.body()).isEqualTo(202);
        String id = ApiHarness.json(valid).get("id").asText();
        assertThat(h.get("/v1/jobs/" + id).statusCode()).isEqualTo(200);
    }

    /** A valid spec of exactly {@code bytes} bytes (ASCII), padded with conf entries of at most 10,000 characters. */
    static String body(String pool, int bytes) {
        StringBuilder out = new StringBuilder("{\"name\": \"pi\", \"pool\": \"" + pool
                + "\", \"application\": {\"type\": \"python\", \"file\": \"/apps/pi.py\"}, \"conf\": {");
        String tail = "}}";
        for (int i = 0; ; i++) {
            String key = (i > 0 ? ", " : "") + "\"spark.pad." + i + "\": \"";
            int room = bytes - out.length() - tail.length() - key.length() - 1;
            if (room <= 10_000) {
                out.append(key).append("y".repeat(room)).append('"');
                break;
            }
            out.append(key).append("y".repeat(10_000)).append('"');
        }
        return out.append(tail).toString();
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    private static String base() {
        return h.base;
    }

    private static HttpResponse<String> postBytes(String path, byte[] body, String contentType) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return h.send(request);
    }

    private static List<SubmitJob> submittedSoFar() throws Exception {
        List<SubmitJob> out = new ArrayList<>();
        for (JobCommand c : h.allCommands()) {
            if (c instanceof SubmitJob s) {
                out.add(s);
            }
        }
        return out;
    }
}
