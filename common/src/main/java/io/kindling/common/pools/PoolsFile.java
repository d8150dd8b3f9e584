package io.kindling.common.pools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kindling.common.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The pools file ({@code KINDLING_CONFIG}): YAML of the form
 * <pre>
 * pools:
 *   onprem: {backend: spark-submit, master: "spark://m:7077", deployMode: client, maxRunning: 20}
 * </pre>
 * Each pool's keys are split between {@link PoolBackend} and {@link PoolScheduling} by name; a key
 * neither declares, or an impossible combination, fails with a message naming the pool and key.
 */
public record PoolsFile(Map<String, PoolConfig> pools) {
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();
    private static final Set<String> BACKEND_KEYS = withoutKey(componentNames(PoolBackend.class), "kubernetes");
    private static final Set<String> KUBERNETES_KEYS = componentNames(KubernetesKeys.class);
    private static final Set<String> SCHEDULING_KEYS = componentNames(PoolScheduling.class);

    public PoolsFile {
        pools = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pools));
    }

    /** Reads and checks the file at {@code path}. */
    public static PoolsFile load(Path path) {
        String text;
        try {
            text = Files.readString(path);
        } catch (IOException e) {
            throw new ConfigException("cannot read pools file " + path + ": " + e.getMessage());
        }
        return parse(text, path.toString());
    }

    /** Pools with every default, one per name (what {@code KINDLING_POOLS} alone gives). */
    public static PoolsFile defaults(Collection<String> names) {
        Map<String, PoolConfig> pools = new LinkedHashMap<>();
        for (String raw : new TreeSet<>(names)) {
            String name = checkedName(raw, "KINDLING_POOLS");
            pools.put(name, PoolConfig.defaults(name));
        }
        return new PoolsFile(pools);
    }

    /** Reads and checks YAML text; {@code source} names it in messages. */
    public static PoolsFile parse(String text, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException("pools file " + source + " is not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException("pools file " + source + " must be a mapping with the key 'pools'");
        }
        rejectUnknown(root, Set.of("pools"), "pools file " + source);
        JsonNode poolsNode = root.get("pools");
        if (poolsNode == null || !poolsNode.isObject() || poolsNode.isEmpty()) {
            throw new ConfigException("pools file " + source + ": 'pools' must map at least one pool name to its settings");
        }
        Map<String, PoolConfig> pools = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = poolsNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String where = "pools file " + source + ", pool '" + entry.getKey() + "'";
            String name = checkedName(entry.getKey(), "pools file " + source);
            pools.put(name, PoolChecks.check(readPool(name, entry.getValue(), where), where));
        }
        return new PoolsFile(pools);
    }

    private static PoolConfig readPool(String name, JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return PoolConfig.defaults(name);
        }
        if (!node.isObject()) {
            throw new ConfigException(where + ": expected a mapping of settings");
        }
        Set<String> known = new TreeSet<>(BACKEND_KEYS);
        known.addAll(SCHEDULING_KEYS);
        known.addAll(KUBERNETES_KEYS);
        rejectUnknown(node, known, where);
        ObjectNode backend = YAML.createObjectNode();
        ObjectNode kubernetes = YAML.createObjectNode();
        ObjectNode scheduling = YAML.createObjectNode();
        node.fields().forEachRemaining(f -> (BACKEND_KEYS.contains(f.getKey()) ? backend
                : KUBERNETES_KEYS.contains(f.getKey()) ? kubernetes : scheduling).set(f.getKey(), f.getValue()));
        PoolBackend keys = convert(backend, PoolBackend.class, where)
                .withKubernetes(convert(kubernetes, KubernetesKeys.class, where));
        return new PoolConfig(name, keys, convert(scheduling, PoolScheduling.class, where));
    }

    private static <T> T convert(JsonNode node, Class<T> type, String where) {
        try {
            return YAML.treeToValue(node, type);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(where + ": unknown key '" + e.getPropertyName() + "' at " + path(e));
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            throw new ConfigException(where + ": invalid value at " + path(e) + ": " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new ConfigException(where + ": invalid value: " + e.getOriginalMessage());
        }
    }

    private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : e.getPath()) {
            b.append(r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]");
        }
        return b.isEmpty() ? "(top)" : b.substring(1);
    }

    private static void rejectUnknown(JsonNode node, Set<String> known, String where) {
        TreeSet<String> unknown = new TreeSet<>();
        node.fieldNames().forEachRemaining(key -> {
            if (!known.contains(key)) {
                unknown.add(key);
            }
        });
        if (!unknown.isEmpty()) {
            throw new ConfigException(where + ": unknown key(s) " + String.join(", ", unknown)
                    + " (known: " + String.join(", ", new TreeSet<>(known)) + ")");
        }
    }

    private static String checkedName(String name, String where) {
        String trimmed = name.trim();
        if (!trimmed.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?") || trimmed.length() > 100) {
            throw new ConfigException("invalid pool name '" + name + "' in " + where + " (lowercase letters, digits and '-')");
        }
        return trimmed;
    }

    private static Set<String> componentNames(Class<? extends Record> type) {
        return Set.copyOf(Arrays.stream(type.getRecordComponents()).map(java.lang.reflect.RecordComponent::getName).toList());
    }

    private static Set<String> withoutKey(Set<String> keys, String key) {
        Set<String> rest = new TreeSet<>(keys);
        rest.remove(key);
        return Set.copyOf(rest);
    }

    /** The pool names, sorted. */
    public List<String> names() {
        return List.copyOf(new TreeSet<>(pools.keySet()));
    }
}
