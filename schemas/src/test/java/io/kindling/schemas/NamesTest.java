package io.kindling.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link Names} is the one Java copy of the contracts' name rule: the schemas must say the same. */
class NamesTest {
    private static final List<String> SCHEMAS = List.of("attempt-report", "cancel-job", "dead-letter", "job-command",
            "job-event", "job-spec", "run-assignment", "submit-job", "worker-control");

    @Test
    void everyJobIdAndTenantPatternInTheSchemasIsTheOneInNames() throws IOException {
        List<String> found = new ArrayList<>();
        for (String schema : SCHEMAS) {
            collect(Json.mapper().readTree(resource(schema + ".schema.json")), schema, found);
        }
        assertThat(found).as("jobId and tenant patterns in the JSON Schemas").hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(p -> assertThat(p).endsWith("=" + Names.JOB_ID.pattern()));
    }

    /** Names are the patterns of the form ^[a-z0-9][...] (a pool's name, ^[a-z0-9]([...])?$, is another rule). */
    @Test
    void everyNamePatternInTheOpenApiDocumentIsTheOneInNames() throws IOException {
        String openapi = new String(resource("openapi.yaml"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("pattern: '(\\^\\[a-z0-9\\]\\[[^']*)'").matcher(openapi);
        List<String> patterns = new ArrayList<>();
        while (m.find()) {
            patterns.add(m.group(1));
        }
        assertThat(patterns).hasSizeGreaterThanOrEqualTo(3).containsOnly(Names.JOB_ID.pattern());
    }

    @Test
    void namesAreOneToSixtyThreeLowercaseLettersDigitsAndHyphensNotStartingWithAHyphen() {
        assertThat(Names.isJobId("a")).isTrue();
        assertThat(Names.isJobId("0195f0a2-7c1e-7d3a-9b2c-5e6f7a8b9c0d")).isTrue();
        assertThat(Names.isJobId("a".repeat(63))).isTrue();
        assertThat(Names.isJobId("a".repeat(64))).isFalse();
        assertThat(Names.isJobId("-a")).isFalse();
        assertThat(Names.isJobId("A")).isFalse();
        assertThat(Names.isJobId("a_b")).isFalse();
        assertThat(Names.isJobId("")).isFalse();
        assertThat(Names.isJobId(null)).isFalse();
        assertThat(Names.isTenant("analytics")).isTrue();
        assertThat(Names.isTenant("Analytics")).isFalse();
        assertThat(Names.isTenant(null)).isFalse();
    }

    private static void collect(JsonNode node, String where, List<String> found) {
        if (node.isObject()) {
            JsonNode properties = node.get("properties");
            if (properties != null && properties.isObject()) {
                for (Map.Entry<String, JsonNode> p : properties.properties()) {
                    JsonNode pattern = p.getValue().get("pattern");
                    if ((p.getKey().equals("jobId") || p.getKey().equals("tenant")) && pattern != null) {
                        found.add(where + "." + p.getKey() + "=" + pattern.asText());
                    }
                }
            }
            node.properties().forEach(e -> collect(e.getValue(), where + "." + e.getKey(), found));
        } else if (node.isArray()) {
            node.forEach(child -> collect(child, where, found));
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = NamesTest.class.getResourceAsStream("/io/kindling/schemas/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
