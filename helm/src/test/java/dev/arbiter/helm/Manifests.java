package dev.arbiter.helm;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rendered manifests parsed into the fabric8 Kubernetes model, strictly: an unknown kind or apiVersion fails, and so
 * does any field the model does not know, anywhere in the object (fabric8 keeps unknown fields in each object's
 * additionalProperties map instead of refusing them, so every such map is checked to be empty).
 */
final class Manifests {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    /** The model class of each apiVersion/kind the chart may render; anything else is an error. */
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "apps/v1/Deployment", Deployment.class,
            "apps/v1/StatefulSet", StatefulSet.class,
            "v1/Service", Service.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/ServiceAccount", ServiceAccount.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
            "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class);

    private Manifests() {}

    /** Every document of {@code rendered} (helm template's output), parsed strictly. */
    static List<HasMetadata> parse(String rendered) throws Exception {
        List<HasMetadata> out = new ArrayList<>();
        for (String doc : rendered.split("(?m)^---\\s*$")) {
            String body = doc.lines().filter(l -> !l.startsWith("#")).reduce("", (a, b) -> a + b + "\n").strip();
            if (body.isEmpty()) {
                continue;
            }
            JsonNode node = YAML.readTree(body);
            String key = node.path("apiVersion").asText() + "/" + node.path("kind").asText();
            if (key.equals("cert-manager.io/v1/Certificate")) {
                out.add(certificate(node, body));
                continue;
            }
            Class<? extends HasMetadata> type = KINDS.get(key);
            if (type == null) {
                throw new AssertionError("a manifest of an unexpected kind: " + key + "\n" + body);
            }
            HasMetadata m = YAML.treeToValue(node, type);
            List<String> unknown = new ArrayList<>();
            unknownFields(m, key + " " + m.getMetadata().getName(), unknown, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
            if (!unknown.isEmpty()) {
                throw new AssertionError("fields the Kubernetes model does not know: " + unknown);
            }
            out.add(m);
        }
        return out;
    }

    /**
     * cert-manager's Certificate (no model of it is served here): its spec's fields checked against the names
     * cert-manager v1 defines, strictly as the others, and the resource kept generic.
     */
    private static HasMetadata certificate(JsonNode node, String body) throws Exception {
        Map<String, Set<String>> known = Map.of(
                "spec", Set.of("secretName", "duration", "renewBefore", "privateKey", "usages", "dnsNames", "issuerRef", "commonName",
                        "ipAddresses", "subject", "secretTemplate"),
                "privateKey", Set.of("algorithm", "size", "encoding", "rotationPolicy"),
                "issuerRef", Set.of("name", "kind", "group"));
        List<String> unknown = new ArrayList<>();
        JsonNode spec = node.path("spec");
        spec.fieldNames().forEachRemaining(f -> {
            if (!known.get("spec").contains(f)) {
                unknown.add("spec." + f);
            }
        });
        for (String part : List.of("privateKey", "issuerRef")) {
            spec.path(part).fieldNames().forEachRemaining(f -> {
                if (!known.get(part).contains(f)) {
                    unknown.add("spec." + part + "." + f);
                }
            });
        }
        if (!unknown.isEmpty()) {
            throw new AssertionError("fields cert-manager's Certificate does not have: " + unknown + "\n" + body);
        }
        return YAML.treeToValue(node, io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
    }

    /** Adds the path of every non-empty additionalProperties map under {@code o} to {@code unknown}. */
    static void unknownFields(Object o, String path, List<String> unknown, Set<Object> seen) {
        if (o == null || !seen.add(o)) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                unknownFields(e, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, path + "." + k, unknown, seen));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                f.setAccessible(true);
                Object v;
                try {
                    v = f.get(o);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
                if (f.getName().equals("additionalProperties")) {
                    if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        unknown.add(path + ": " + extra.keySet());
                    }
                } else {
                    unknownFields(v, path + "." + f.getName(), unknown, seen);
                }
            }
        }
    }
}
