package dev.arbiter.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart, without a cluster: linted strictly and rendered by Helm itself (helm-java, Helm as a library) with four
 * sets of values (the defaults, native images, high availability, minimal), every manifest parsed strictly into the
 * Kubernetes model, and what an operator relies on checked on the result.
 */
class ChartTest {

    static final Path CHART = Path.of("arbiter");
    static final String RELEASE = "arbiter";
    /** The Kubernetes version rendered for (the chart needs 1.25+: policy/v1, autoscaling/v2). */
    static final String KUBE_VERSION = "v1.29.0";
    /** The four value sets: none (values.yaml), and the files layered over it. */
    static final Map<String, Path> VALUE_SETS = new LinkedHashMap<>();

    static {
        VALUE_SETS.put("default", null);
        VALUE_SETS.put("native", CHART.resolve("values-native.yaml"));
        VALUE_SETS.put("high-availability", Path.of("src/test/resources/values/high-availability.yaml"));
        VALUE_SETS.put("minimal", Path.of("src/test/resources/values/minimal.yaml"));
    }

    static final List<String> SERVICES = List.of("decision-service", "feature-service", "model-service", "optimizer-service",
            "rule-service");

    static String render(Path chart, Path values) {
        var template = new Helm(chart).template().withName(RELEASE).withNamespace("arbiter").withKubeVersion(KUBE_VERSION);
        if (values != null) {
            template.withValuesFile(values.toAbsolutePath());
        }
        return template.call();
    }

    /** The value set's manifests, parsed; the rendering is also written to target/rendered/SET.yaml to read. */
    static List<HasMetadata> manifests(String set) throws Exception {
        String rendered = render(CHART, VALUE_SETS.get(set));
        Files.createDirectories(Path.of("target/rendered"));
        Files.writeString(Path.of("target/rendered/" + set + ".yaml"), rendered);
        return Manifests.parse(rendered);
    }

    static <T extends HasMetadata> List<T> all(List<HasMetadata> manifests, Class<T> type) {
        return manifests.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static PodSpec pod(HasMetadata workload) {
        return workload instanceof Deployment d ? d.getSpec().getTemplate().getSpec()
                : ((StatefulSet) workload).getSpec().getTemplate().getSpec();
    }

    static List<HasMetadata> workloads(List<HasMetadata> manifests) {
        return manifests.stream().filter(m -> m instanceof Deployment || m instanceof StatefulSet).toList();
    }

    /**
     * helm lint takes no values file through helm-java, so each value set is linted as a copy of the chart whose
     * values.yaml is the defaults with the set merged over them, as Helm merges a -f file.
     */
    @ParameterizedTest
    @ValueSource(strings = {"default", "native", "high-availability", "minimal"})
    void lintsStrictlyWithEveryValueSet(String set, @TempDir Path tmp) throws IOException {
        Path chart = tmp.resolve("arbiter");
        copy(CHART, chart);
        if (VALUE_SETS.get(set) != null) {
            ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
            JsonNode merged = merge(yaml.readTree(CHART.resolve("values.yaml").toFile()), yaml.readTree(VALUE_SETS.get(set).toFile()));
            yaml.writeValue(chart.resolve("values.yaml").toFile(), merged);
        }
        LintResult result = new Helm(chart).lint().strict().call();
        assertFalse(result.isFailed(), set + ": " + result.getMessages());
    }

    /** {@code over} merged into {@code base}: objects key by key, anything else replaced. */
    static JsonNode merge(JsonNode base, JsonNode over) {
        if (!(base instanceof ObjectNode b) || !over.isObject()) {
            return over;
        }
        over.fields().forEachRemaining(e -> b.set(e.getKey(), b.has(e.getKey()) ? merge(b.get(e.getKey()), e.getValue()) : e.getValue()));
        return b;
    }

    @Test
    void theStrictParseRefusesAFieldTheModelDoesNotKnowAndAnUnknownKind() throws Exception {
        String rendered = render(CHART, null);
        String misspelt = rendered.replaceFirst("imagePullPolicy:", "imagePullPolcy:");
        AssertionError e = assertThrows(AssertionError.class, () -> Manifests.parse(misspelt));
        assertTrue(e.getMessage().contains("imagePullPolcy"), e.getMessage());
        String nested = rendered.replaceFirst("periodSeconds: 5", "periodSecond: 5");
        assertThrows(AssertionError.class, () -> Manifests.parse(nested), "deep inside a probe too");
        assertThrows(AssertionError.class, () -> Manifests.parse("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n"));
    }

    @Test
    void lintFindsWhatIsWrongWithABrokenChart(@TempDir Path tmp) throws IOException {
        Path chart = tmp.resolve("arbiter");
        copy(CHART, chart);
        Files.writeString(chart.resolve("templates/broken.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.nowhere.name }}\n");
        LintResult result = new Helm(chart).lint().strict().call();
        assertTrue(result.isFailed(), "a template reading a value that does not exist fails the lint: " + result.getMessages());
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "native", "high-availability", "minimal"})
    void everyManifestParsesStrictlyAndEveryWorkloadIsProbedLabelledAndTagged(String set) throws Exception {
        List<HasMetadata> manifests = manifests(set);
        List<HasMetadata> workloads = workloads(manifests);
        assertEquals(SERVICES, workloads.stream().map(w -> w.getMetadata().getLabels().get("app.kubernetes.io/component"))
                .sorted().toList(), set);
        for (HasMetadata m : manifests) {
            Map<String, String> labels = m.getMetadata().getLabels();
            assertNotNull(labels, m.getMetadata().getName());
            for (String label : List.of("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
                    "app.kubernetes.io/managed-by", "app.kubernetes.io/part-of", "helm.sh/chart")) {
                assertTrue(labels.containsKey(label), set + ": " + m.getKind() + " " + m.getMetadata().getName() + " lacks " + label);
            }
        }
        String suffix = set.equals("native") ? "-native" : "";
        for (HasMetadata w : workloads) {
            PodSpec pod = pod(w);
            assertEquals(1, pod.getContainers().size());
            Container c = pod.getContainers().get(0);
            String service = w.getMetadata().getLabels().get("app.kubernetes.io/component");
            assertEquals("arbiter/" + service + ":0.1.0" + suffix, c.getImage(), "tagged from the chart's appVersion");
            assertNotNull(c.getStartupProbe(), service);
            assertEquals("/q/health/ready", c.getReadinessProbe().getHttpGet().getPath(), service);
            assertEquals("/q/health/live", c.getLivenessProbe().getHttpGet().getPath(), service);
            assertEquals("http", c.getReadinessProbe().getHttpGet().getPort().getStrVal());
            assertEquals(List.of("grpc", "http"), c.getPorts().stream().map(p -> p.getName()).toList());
            assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem());
            assertFalse(c.getSecurityContext().getAllowPrivilegeEscalation());
            assertEquals("10s", env(c, "QUARKUS_SHUTDOWN_DELAY"), service + ": not ready for 10 s after SIGTERM, still serving");
            assertTrue(pod.getTerminationGracePeriodSeconds() > 10, service + ": the grace period outlasts the delay");
            if (service.equals("decision-service")) {
                // it re-resolves the headless Services every 5 s; the JVM would cache the answers for 30 s
                String ttl = "-Dsun.net.inetaddr.ttl=5";
                assertTrue(set.equals("native") ? c.getArgs().contains(ttl) : env(c, "JAVA_OPTS_APPEND").contains(ttl), set);
            }
            // its own PostgreSQL role, owning only its schema (files/database-roles.sql), its password under its own key
            if (service.equals("feature-service")) {
                assertEquals(null, env(c, "QUARKUS_DATASOURCE_USERNAME"), "feature-service uses no database");
            } else {
                String schema = service.equals("rule-service") ? "rule" : service.substring(0, service.indexOf("-service"));
                assertEquals("arbiter_" + schema, env(c, "QUARKUS_DATASOURCE_USERNAME"), service);
                assertEquals(service + "-password", c.getEnv().stream().filter(e -> e.getName().equals("QUARKUS_DATASOURCE_PASSWORD"))
                        .findFirst().orElseThrow().getValueFrom().getSecretKeyRef().getKey(), service);
            }
            // bearer tokens on every RPC (auth.proto): the tokens file and the service's own token, from the Secret
            assertEquals("/etc/arbiter/auth/tokens", env(c, "ARBITER_AUTH_TOKENS_FILE"), service);
            assertEquals("/etc/arbiter/auth/" + service + ".token", env(c, "ARBITER_AUTH_TOKEN_FILE"), service);
            assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/etc/arbiter/auth") && m.getReadOnly()), service);
            assertEquals("arbiter-auth", pod.getVolumes().stream().filter(v -> v.getName().equals("auth")).findFirst().orElseThrow()
                    .getSecret().getSecretName(), service);
            // mutual TLS (tls/ServerTls) unless the value set turns it off: the TLS registry's files from the mounted Secret
            if (set.equals("minimal")) {
                assertEquals("true", env(c, "ARBITER_TLS_PLAINTEXT"), service + ": tls.enabled=false is plaintext");
            } else {
                assertEquals("false", env(c, "ARBITER_TLS_PLAINTEXT"), service);
                assertEquals("/etc/arbiter/tls/tls.crt", env(c, "QUARKUS_TLS_ARBITER_KEY_STORE_PEM_SERVICE_CERT"), service);
                assertEquals("/etc/arbiter/tls/tls.key", env(c, "QUARKUS_TLS_ARBITER_KEY_STORE_PEM_SERVICE_KEY"), service);
                assertEquals("/etc/arbiter/tls/ca.crt", env(c, "QUARKUS_TLS_ARBITER_TRUST_STORE_PEM_CERTS"), service);
                assertEquals("/etc/arbiter/tls", env(c, "ARBITER_TLS_DIR"), service);
                assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/etc/arbiter/tls") && m.getReadOnly()), service);
                assertEquals("arbiter-tls", pod.getVolumes().stream().filter(v -> v.getName().equals("tls")).findFirst().orElseThrow()
                        .getSecret().getSecretName(), service);
            }
            boolean jvmOptions = c.getEnv().stream().anyMatch(e -> e.getName().equals("JAVA_OPTS_APPEND"));
            assertEquals(!set.equals("native"), jvmOptions, service + ": JVM options only for JVM images");
        }
        for (Service s : all(manifests, Service.class)) {
            ServicePort grpc = s.getSpec().getPorts().stream().filter(p -> p.getName().equals("grpc")).findFirst().orElseThrow();
            assertEquals("kubernetes.io/h2c", grpc.getAppProtocol(), s.getMetadata().getName());
        }
    }

    @Test
    void decisionServiceIsAStatefulSetWithOneSpoolClaimPerReplica() throws Exception {
        for (String set : VALUE_SETS.keySet()) {
            List<HasMetadata> manifests = manifests(set);
            List<StatefulSet> sets = all(manifests, StatefulSet.class);
            assertEquals(1, sets.size(), set);
            StatefulSet decisions = sets.get(0);
            assertEquals("arbiter-decision-service", decisions.getMetadata().getName());
            assertEquals(1, decisions.getSpec().getVolumeClaimTemplates().size(), "one claim per replica: the template");
            assertEquals("spool", decisions.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getName());
            Container c = decisions.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertTrue(c.getVolumeMounts().stream().anyMatch(v -> v.getName().equals("spool")
                    && v.getMountPath().equals("/var/lib/arbiter/spool")));
            assertEquals("/var/lib/arbiter/spool", env(c, "ARBITER_DECISION_LOG_SPOOL_DIR"));
            assertEquals("arbiter-decision-service-headless", decisions.getSpec().getServiceName());
            assertTrue(all(manifests, Service.class).stream().anyMatch(s -> s.getMetadata().getName().equals("arbiter-decision-service-headless")
                    && "None".equals(s.getSpec().getClusterIP())));
            // no Deployment has a spool
            for (Deployment d : all(manifests, Deployment.class)) {
                assertTrue(d.getSpec().getTemplate().getSpec().getVolumes().stream().noneMatch(v -> v.getName().equals("spool")));
            }
        }
        StatefulSet ha = all(manifests("high-availability"), StatefulSet.class).get(0);
        assertEquals(3, ha.getSpec().getReplicas(), "three replicas, so three spool claims");
        assertEquals("fast-ssd", ha.getSpec().getVolumeClaimTemplates().get(0).getSpec().getStorageClassName());
        assertEquals(null, all(manifests("default"), StatefulSet.class).get(0).getSpec().getReplicas(),
                "the autoscaler owns the replicas by default");
    }

    @Test
    void decisionServiceReachesEveryReplicaOfItsDependenciesThroughHeadlessServices() throws Exception {
        List<HasMetadata> manifests = manifests("default");
        Container c = all(manifests, StatefulSet.class).get(0).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("dns:///arbiter-feature-service-headless:9101", env(c, "ARBITER_DECISION_REPLICAS_FEATURES"));
        assertEquals("dns:///arbiter-model-service-headless:9102", env(c, "ARBITER_DECISION_REPLICAS_MODELS"));
        for (String headless : List.of("arbiter-feature-service-headless", "arbiter-model-service-headless")) {
            Service s = all(manifests, Service.class).stream().filter(x -> x.getMetadata().getName().equals(headless))
                    .findFirst().orElseThrow();
            assertEquals("None", s.getSpec().getClusterIP());
            assertFalse(s.getSpec().getPublishNotReadyAddresses(), "only ready replicas are listed");
        }
        Container features = all(manifests, Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals("arbiter-feature-service")).findFirst().orElseThrow()
                .getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("true", env(features, "ARBITER_FEATURES_SHARDED"), "replicas share the series' state");
    }

    @Test
    void availabilityAndAccessFollowTheValues() throws Exception {
        List<HasMetadata> defaults = manifests("default");
        assertEquals(List.of("arbiter-decision-service", "arbiter-feature-service", "arbiter-model-service"),
                all(defaults, HorizontalPodAutoscaler.class).stream().map(h -> h.getMetadata().getName()).sorted().toList(),
                "autoscalers for the hot path");
        assertEquals(3, all(defaults, PodDisruptionBudget.class).size());
        assertEquals(5, all(defaults, NetworkPolicy.class).size());
        assertEquals(1, defaults.stream().filter(m -> m.getKind().equals("ServiceAccount")).count());
        List<HasMetadata> minimal = manifests("minimal");
        assertEquals(0, all(minimal, HorizontalPodAutoscaler.class).size());
        assertEquals(0, all(minimal, PodDisruptionBudget.class).size());
        assertEquals(0, all(minimal, NetworkPolicy.class).size());
        assertEquals(0, minimal.stream().filter(m -> m.getKind().equals("ServiceAccount")).count());
        for (HasMetadata w : workloads(minimal)) {
            assertEquals("default", pod(w).getServiceAccountName());
        }
        List<HasMetadata> ha = manifests("high-availability");
        assertEquals(1, ha.stream().filter(m -> m.getKind().equals("ServiceMonitor")).count());
        assertTrue(ha.stream().anyMatch(m -> m.getKind().equals("ConfigMap") && m.getMetadata().getName().equals("arbiter-dashboard")));
        NetworkPolicy decisions = all(ha, NetworkPolicy.class).stream()
                .filter(n -> n.getMetadata().getName().equals("arbiter-decision-service")).findFirst().orElseThrow();
        assertEquals(2, decisions.getSpec().getIngress().get(0).getFrom().size(), "the release and the listed client");
    }

    /**
     * Secrets only ever come from Secrets: no env var that names a secret has a plain value, in any value set, except a
     * {@code *_FILE} path into a volume mounted from a Secret (the auth tokens).
     */
    @Test
    void noSecretAppearsInPlainValues() throws Exception {
        Pattern secretName = Pattern.compile(".*(PASSWORD|API_KEY|SECRET|TOKEN).*");
        for (String set : VALUE_SETS.keySet()) {
            for (HasMetadata w : workloads(manifests(set))) {
                PodSpec pod = pod(w);
                Set<String> secretVolumes = pod.getVolumes().stream().filter(v -> v.getSecret() != null).map(v -> v.getName())
                        .collect(java.util.stream.Collectors.toSet());
                List<String> secretMounts = pod.getContainers().get(0).getVolumeMounts().stream()
                        .filter(m -> secretVolumes.contains(m.getName())).map(m -> m.getMountPath() + "/").toList();
                for (EnvVar e : pod.getContainers().get(0).getEnv()) {
                    if (e.getName().endsWith("_FILE") && e.getValue() != null) {
                        assertTrue(secretMounts.stream().anyMatch(e.getValue()::startsWith), set + ": " + e.getName() + "=" + e.getValue()
                                + " is not in a volume mounted from a Secret " + secretMounts);
                    } else if (secretName.matcher(e.getName()).matches()) {
                        assertEquals(null, e.getValue(), set + ": " + e.getName() + " has a plain value");
                        assertNotNull(e.getValueFrom().getSecretKeyRef(), set + ": " + e.getName());
                    }
                }
            }
        }
        Container rules = all(manifests("high-availability"), Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals("arbiter-rule-service")).findFirst().orElseThrow()
                .getSpec().getTemplate().getSpec().getContainers().get(0);
        EnvVar key = rules.getEnv().stream().filter(e -> e.getName().equals("ARBITER_LLM_API_KEY")).findFirst().orElseThrow();
        assertEquals("arbiter-llm", key.getValueFrom().getSecretKeyRef().getName());
        // and values.yaml has nowhere to put one: the schema refuses a password key (ValuesSchemaTest)

        // Every service sends alerts the same way: the webhook URL and SMTP password from the alerts Secret.
        List<HasMetadata> highlyAvailable = workloads(manifests("high-availability"));
        assertEquals(SERVICES.size(), highlyAvailable.size());
        for (HasMetadata w : highlyAvailable) {
            Map<String, EnvVar> env = new java.util.HashMap<>();
            pod(w).getContainers().get(0).getEnv().forEach(e -> env.put(e.getName(), e));
            String name = w.getMetadata().getName();
            assertEquals("arbiter-alerts", env.get("ARBITER_ALERTS_WEBHOOK_URL").getValueFrom().getSecretKeyRef().getName(), name);
            assertEquals("webhook-url", env.get("ARBITER_ALERTS_WEBHOOK_URL").getValueFrom().getSecretKeyRef().getKey(), name);
            assertEquals("oncall@example.com,risk@example.com", env.get("ARBITER_ALERTS_EMAIL_TO").getValue(), name);
            assertEquals("smtp.example.com", env.get("QUARKUS_MAILER_HOST").getValue(), name);
            assertEquals("smtp-password", env.get("QUARKUS_MAILER_PASSWORD").getValueFrom().getSecretKeyRef().getKey(), name);
            assertEquals("10m", env.get("ARBITER_ALERTS_DEDUP_WINDOW").getValue(), name);
        }
        for (HasMetadata w : workloads(manifests("default"))) {
            List<String> names = pod(w).getContainers().get(0).getEnv().stream().map(EnvVar::getName).toList();
            assertFalse(names.contains("ARBITER_ALERTS_WEBHOOK_URL") || names.contains("ARBITER_ALERTS_EMAIL_TO"),
                    "no receivers unless configured: " + names);
        }
    }

    /** Retraining's settings reach optimizer-service: the cron, the ensembles, the drift poll and the ramp; off by default. */
    @Test
    void retrainingSettingsReachTheOptimizer() throws Exception {
        Container ha = all(manifests("high-availability"), Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals("arbiter-optimizer-service")).findFirst().orElseThrow()
                .getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("0 0 3 * * ?", env(ha, "ARBITER_OPTIMIZER_RETRAINING_CRON"));
        assertEquals("default,hourly", env(ha, "ARBITER_OPTIMIZER_RETRAINING_ENSEMBLES"));
        assertEquals("10m", env(ha, "ARBITER_OPTIMIZER_RETRAINING_DRIFT_POLL"));
        assertEquals("0.05,0.2", env(ha, "ARBITER_OPTIMIZER_RETRAINING_RAMP_STEPS"));
        assertEquals("6h", env(ha, "ARBITER_OPTIMIZER_RETRAINING_RAMP_INTERVAL"));
        Container plain = all(manifests("default"), Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals("arbiter-optimizer-service")).findFirst().orElseThrow()
                .getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("off", env(plain, "ARBITER_OPTIMIZER_RETRAINING_CRON"));
        assertEquals("0.1,0.25,0.5", env(plain, "ARBITER_OPTIMIZER_RETRAINING_RAMP_STEPS"));
        assertTrue(plain.getEnv().stream().noneMatch(e -> e.getName().equals("ARBITER_OPTIMIZER_RETRAINING_ENSEMBLES")),
                "no ensembles: the triggers retrain nothing");
    }

    /** Selectors are immutable: the next chart version must select exactly what this one does. */
    @Test
    void selectorsAreTheSameInTheNextChartVersion(@TempDir Path tmp) throws Exception {
        Path next = tmp.resolve("arbiter");
        copy(CHART, next);
        String chart = Files.readString(next.resolve("Chart.yaml"));
        Files.writeString(next.resolve("Chart.yaml"), chart.replace("version: 0.1.0", "version: 0.2.0")
                .replace("appVersion: \"0.1.0\"", "appVersion: \"0.2.0\""));
        for (String set : VALUE_SETS.keySet()) {
            Map<String, Object> now = selectors(Manifests.parse(render(CHART, VALUE_SETS.get(set))));
            Map<String, Object> then = selectors(Manifests.parse(render(next, VALUE_SETS.get(set))));
            assertFalse(now.isEmpty());
            assertEquals(now, then, set);
        }
        String upgraded = render(next, null);
        assertTrue(upgraded.contains("image: arbiter/decision-service:0.2.0"), "while the images follow the version");
    }

    private static Map<String, Object> selectors(List<HasMetadata> manifests) {
        Map<String, Object> out = new TreeMap<>();
        for (HasMetadata m : manifests) {
            String key = m.getKind() + "/" + m.getMetadata().getName();
            if (m instanceof Deployment d) {
                out.put(key, d.getSpec().getSelector());
            } else if (m instanceof StatefulSet s) {
                out.put(key, s.getSpec().getSelector());
                out.put(key + "/serviceName", s.getSpec().getServiceName());
                out.put(key + "/claims", s.getSpec().getVolumeClaimTemplates().stream().map(c -> c.getMetadata().getName()).toList());
            } else if (m instanceof Service s) {
                out.put(key, s.getSpec().getSelector());
            } else if (m instanceof PodDisruptionBudget p) {
                out.put(key, p.getSpec().getSelector());
            }
        }
        return out;
    }

    /** With a cert-manager issuer the chart asks for the one certificate every component presents, naming every Service. */
    @Test
    void certManagerIssuesOneCertificateNamingEveryServiceInPkcs8() {
        String rendered = render(CHART, VALUE_SETS.get("high-availability"));
        int at = rendered.indexOf("kind: Certificate");
        assertTrue(at >= 0, "a cert-manager Certificate");
        String certificate = rendered.substring(at, rendered.indexOf("---", at) < 0 ? rendered.length() : rendered.indexOf("---", at));
        for (String service : SERVICES) {
            assertTrue(certificate.contains("- " + RELEASE + "-arbiter-" + service + "\n")
                    || certificate.contains("- " + RELEASE + "-" + service + "\n"), service + " in\n" + certificate);
        }
        assertTrue(certificate.contains("secretName: arbiter-tls"), certificate);
        assertTrue(certificate.contains("encoding: PKCS8"), certificate);
        assertTrue(certificate.contains("client auth"), certificate);
        assertFalse(render(CHART, null).contains("kind: Certificate"), "no issuer, no Certificate");
    }

    @Test
    void badValuesAreRefusedByTheSchemaNamingTheKey(@TempDir Path tmp) throws IOException {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("decisions:\n  replicas: two\n", "replicas");
        bad.put("postgresql:\n  port: \"5432\"\n", "port");
        bad.put("image:\n  flavor: wasm\n", "flavor");
        bad.put("decisions:\n  replica: 3\n", "replica");
        bad.put("unknownTopLevel: true\n", "unknownTopLevel");
        bad.put("postgresql:\n  password: hunter2\n", "password");
        bad.put("features:\n  autoscaling:\n    targetCPUUtilizationPercentage: 150\n", "targetCPUUtilizationPercentage");
        bad.put("decisions:\n  spool:\n    size: lots\n", "size");
        bad.put("features:\n  env:\n    \"not a name\": x\n", "not a name");
        bad.put("networkPolicy:\n  enabled: \"yes\"\n", "enabled");
        bad.put("tls:\n  existingSecret: \"\"\n", "existingSecret");
        bad.put("tls:\n  certManager:\n    issuer: {name: ca, kind: Authority}\n", "kind");
        bad.put("auth:\n  existingSecret: \"\"\n", "existingSecret");
        bad.put("auth:\n  enabled: \"on\"\n", "enabled");
        bad.put("shutdownDelay: soon\n", "shutdownDelay");
        bad.put("optimizer:\n  retraining:\n    rampSteps: [0.5, 1.5]\n", "rampSteps");
        bad.put("optimizer:\n  retraining:\n    driftPoll: often\n", "driftPoll");
        bad.put("llm:\n  existingSecret: arbiter-llm\n  apiKeyKey: \"\"\n", "apiKeyKey");
        int i = 0;
        for (Map.Entry<String, String> b : bad.entrySet()) {
            Path values = tmp.resolve("bad-" + i++ + ".yaml");
            Files.writeString(values, b.getKey());
            Exception e = assertThrows(Exception.class, () -> render(CHART, values), b.getKey());
            assertTrue(e.getMessage().contains("values don't meet the specifications of the schema"), b.getKey() + " -> " + e.getMessage());
            assertTrue(e.getMessage().contains(b.getValue()), b.getKey() + " -> " + e.getMessage());
        }
    }

    private static String env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst().orElse(null);
    }

    private static void copy(Path from, Path to) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(from)) {
            paths = new ArrayList<>(walk.sorted(Comparator.naturalOrder()).toList());
        }
        for (Path p : paths) {
            Path target = to.resolve(from.relativize(p).toString());
            if (Files.isDirectory(p)) {
                Files.createDirectories(target);
            } else {
                Files.copy(p, target);
            }
        }
    }
}
