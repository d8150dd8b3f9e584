package io.kindling.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads rendered manifests into fabric8's typed Kubernetes model, refusing what the API server
 * would refuse under strict field validation: a field the type does not have (fabric8 would keep
 * it in {@code additionalProperties}; here its any-setter is switched off), a string where a
 * number or boolean belongs, and an apiVersion/kind the chart is not expected to render.
 */
final class StrictKubernetesYaml {
    /** The types the chart renders, by "apiVersion/kind". */
    private static final Map<String, Class<?>> TYPES = Map.ofEntries(
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("v1/ServiceAccount", ServiceAccount.class),
            Map.entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("rbac.authorization.k8s.io/v1/Role", Role.class),
            Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class),
            Map.entry("networking.k8s.io/v1/Ingress", Ingress.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class));

    private final ObjectMapper mapper;

    StrictKubernetesYaml() {
        mapper = new ObjectMapper(new YAMLFactory());
        mapper.setAnnotationIntrospector(new JacksonAnnotationIntrospector() {
            @Override
            public Boolean hasAnySetter(Annotated a) {
                return Boolean.FALSE;
            }
        });
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        for (LogicalType type : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    }

    /** One YAML document of a rendering: its source position and the typed object. */
    record Document(String source, Object object) {
    }

    /** Every non-empty document of a multi-document YAML stream, typed; the first bad one throws. */
    List<Document> read(Reader yaml, String name) throws IOException {
        List<Document> documents = new ArrayList<>();
        try (var docs = mapper.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            int index = 0;
            while (docs.hasNext()) {
                JsonNode node = docs.next();
                index++;
                if (node == null || node.isNull() || node.isMissingNode() || node.isEmpty()) {
                    continue;
                }
                String source = name + " document " + index + " (" + node.path("kind").asText("?") + " "
                        + node.path("metadata").path("name").asText("?") + ")";
                documents.add(new Document(source, typed(node, source)));
            }
        }
        return documents;
    }

    private Object typed(JsonNode node, String source) throws IOException {
        String key = node.path("apiVersion").asText() + "/" + node.path("kind").asText();
        Class<?> type = TYPES.get(key);
        if (type == null) {
            throw new IllegalStateException(source + ": no schema for " + key + " (expected one of " + TYPES.keySet() + ")");
        }
        try {
            return mapper.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            String at = e instanceof JsonMappingException m ? " at " + m.getPathReference() : "";
            throw new IOException(source + " is not a valid " + key + ": " + e.getOriginalMessage() + at, e);
        }
    }
}
