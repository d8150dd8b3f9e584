package io.kindling.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The chart's values as helm merges them (a values file over values.yaml), and the names of the
 * Secrets and claims they say the operator has made: the chart references them without rendering them.
 */
record ChartValues(JsonNode values) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern SECRET_KEY = Pattern.compile("existingSecret|.*Secret|pullSecrets|tlsSecret");

    static ChartValues of(Path chart, Path overrides) throws IOException {
        JsonNode merged = YAML.readTree(chart.resolve("values.yaml").toFile());
        if (overrides != null) {
            merge((ObjectNode) merged, YAML.readTree(overrides.toFile()));
        }
        return new ChartValues(merged);
    }

    private static void merge(ObjectNode base, JsonNode over) {
        for (Map.Entry<String, JsonNode> e : over.properties()) {
            JsonNode current = base.get(e.getKey());
            if (current instanceof ObjectNode object && e.getValue().isObject()) {
                merge(object, e.getValue());
            } else {
                base.set(e.getKey(), e.getValue());
            }
        }
    }

    Set<String> existingSecrets() {
        Set<String> names = new TreeSet<>();
        collect(values, SECRET_KEY, names, false);
        return names;
    }

    Set<String> existingClaims() {
        Set<String> names = new TreeSet<>();
        collect(values, Pattern.compile("existingClaim"), names, false);
        return names;
    }

    private static void collect(JsonNode node, Pattern key, Set<String> names, boolean named) {
        if (node.isTextual() && named && !node.asText().isEmpty()) {
            names.add(node.asText());
        } else if (node.isArray()) {
            node.forEach(item -> collect(item, key, names, named));
        } else if (node.isObject()) {
            node.properties().forEach(e -> collect(e.getValue(), key, names, key.matcher(e.getKey()).matches()));
        }
    }
}
