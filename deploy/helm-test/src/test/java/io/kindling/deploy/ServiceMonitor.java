package io.kindling.deploy;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The monitoring.coreos.com/v1 ServiceMonitor, as far as the chart may render it: the fields and
 * types of the Prometheus operator's CRD schema for them (selector, namespaceSelector, endpoints'
 * port, path, scheme, interval, scrapeTimeout, honorLabels), so any other field fails to read.
 */
record ServiceMonitor(@JsonProperty(required = true) String apiVersion, @JsonProperty(required = true) String kind,
                      @JsonProperty(required = true) ObjectMeta metadata, @JsonProperty(required = true) Spec spec) {
    /** The CRD's pattern of {@code interval} and {@code scrapeTimeout}. */
    static final Pattern DURATION = Pattern.compile(
            "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$");

    ServiceMonitor {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(spec, "spec");
    }

    record Spec(@JsonProperty(required = true) LabelSelector selector, NamespaceSelector namespaceSelector,
                List<Endpoint> endpoints, String jobLabel) {
        Spec {
            Objects.requireNonNull(selector, "spec.selector is required");
            endpoints = endpoints == null ? List.of() : endpoints;
        }
    }

    record NamespaceSelector(Boolean any, List<String> matchNames) {
    }

    record Endpoint(String port, String path, String scheme, String interval, String scrapeTimeout, Boolean honorLabels) {
        Endpoint {
            for (String duration : new String[] {interval, scrapeTimeout}) {
                if (duration != null && !DURATION.matcher(duration).matches()) {
                    throw new IllegalArgumentException("not a Prometheus duration: " + duration);
                }
            }
            if (scheme != null && !scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("scheme must be http or https: " + scheme);
            }
        }
    }
}
