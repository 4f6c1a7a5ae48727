package dev.arbiter.decision.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.testing.Msft;
import dev.arbiter.decision.testing.MsftModels;
import dev.arbiter.decision.testing.RealDependencies;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.service.LocalService;
import dev.arbiter.service.tls.ClientTls;
import dev.arbiter.testing.GrpcFuzzer;
import dev.arbiter.testing.ServiceProcess;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.smallrye.certs.CertificateGenerator;
import io.smallrye.certs.CertificateRequest;
import io.smallrye.certs.Format;
import io.smallrye.certs.ca.CaGenerator;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mutual TLS with certificates this test makes (its own CA; an unrelated second CA): feature-, model- and
 * decision-service run TLS from Quarkus' TLS registry and require client certificates, and decision-service calls the
 * other two with its own certificate, so decisions are whole. A client without a certificate, with one from the other
 * CA, one that trusts only the other CA, or one speaking plaintext is refused before any RPC runs; a service with TLS on
 * and no certificate configured does not start, and says what to set. The gRPC-level fuzzer runs over the same
 * channels (one stack of processes for both).
 */
class MutualTlsIT {

    static final String PASSWORD = "secret";

    /** A CA and a certificate it signed, laid out as a Kubernetes TLS Secret (tls.crt, tls.key, ca.crt) in {@code dir}. */
    static Path issue(Path dir, String caName) throws Exception {
        Files.createDirectories(dir);
        CaGenerator generator = new CaGenerator(dir.resolve("ca.crt").toFile(), dir.resolve("ca.key").toFile(),
                dir.resolve("ca.p12").toFile(), PASSWORD);
        X509Certificate ca = generator.generate(caName, null, null, null, null, null);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("ca.p12"))) {
            store.load(in, PASSWORD.toCharArray());
        }
        PrivateKey caKey = (PrivateKey) store.getKey(CaGenerator.KEYSTORE_KEY_ENTRY, PASSWORD.toCharArray());
        // one certificate for every service, as the Helm chart's: the loopback for this test, the services' names for
        // decision-service's replica channels
        new CertificateGenerator(dir, true).generate(new CertificateRequest().withName("service").withCN("localhost")
                .withSubjectAlternativeName("DNS:localhost").withSubjectAlternativeName("IP:127.0.0.1")
                .withSubjectAlternativeName("DNS:feature-service").withSubjectAlternativeName("DNS:model-service")
                .withSubjectAlternativeName("DNS:decision-service")
                .withFormat(Format.PEM).signedWith(ca, caKey));
        Files.move(dir.resolve("service.crt"), dir.resolve("tls.crt"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(dir.resolve("service.key"), dir.resolve("tls.key"), StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    /** A service's configuration for mutual TLS with the files in {@code dir}, through the TLS registry. */
    static Map<String, String> tls(Path dir) {
        return Map.of(
                LocalService.PLAINTEXT, "false",
                "arbiter.tls.dir", dir.toAbsolutePath().toString(),
                "quarkus.tls.arbiter.key-store.pem.service.cert", dir.resolve("tls.crt").toAbsolutePath().toString(),
                "quarkus.tls.arbiter.key-store.pem.service.key", dir.resolve("tls.key").toAbsolutePath().toString(),
                "quarkus.tls.arbiter.trust-store.pem.certs", dir.resolve("ca.crt").toAbsolutePath().toString());
    }

    static StatusRuntimeException refused(int port, ChannelCredentials credentials) {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, credentials).build();
        try {
            return assertThrows(StatusRuntimeException.class, () -> HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()));
        } finally {
            channel.shutdownNow();
        }
    }

    static Path good;
    static Path other;
    static RealDependencies dependencies;
    static ServiceProcess decisionService;

    /** feature-, model- and decision-service on this test's CA, decision-service calling the other two over it. */
    @BeforeAll
    static void start() throws Exception {
        String run = UUID.randomUUID().toString();
        Path base = Path.of("target/mtls-it-" + run);
        good = issue(base.resolve("good"), "arbiter-test-ca");
        other = issue(base.resolve("other"), "another-ca");
        Map<String, String> tls = tls(good);
        dependencies = RealDependencies.start("mtls-it", run, Map.of(), tls);
        MsftModels.deployConstant(dependencies.models.channel, 0.8); // over TLS: ServiceProcess' channel presents the certificate
        Map<String, String> config = new HashMap<>(dependencies.clientConfig());
        config.putAll(tls);
        config.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test");
        config.put("arbiter.decision.redis-prefix", "arbiter-it:mtls:" + run + ":");
        config.put("arbiter.decision.log.spool-dir", "target/mtls-it-spool-" + run);
        decisionService = ServiceProcess.start("decision-service.runner", "mtls-it-decision-service", config);
    }

    @AfterAll
    static void stop() {
        if (decisionService != null) {
            decisionService.close();
        }
        if (dependencies != null) {
            dependencies.close();
        }
    }

    /** Decisions over a fresh MSFT series; all undegraded (decision-service reaches both dependencies), some act. */
    static void decidesWhole(String series) {
        int acted = 0;
        for (Observation o : Msft.observations(series, 70)) {
            Decision d = DecisionServiceGrpc.newBlockingStub(decisionService.channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .decide(DecideRequest.newBuilder().setObservation(o).setLatencyBudgetMs(5_000).build());
            assertFalse(d.getDegraded(), "decision-service reaches feature- and model-service over mutual TLS: " + d.getDegradedReason());
            acted += d.getSize() > 0 ? 1 : 0;
        }
        assertTrue(acted > 0, "warm decisions act");
    }

    @Test
    void servicesTalkMutualTlsAndRefuseEveryClientWithoutAGoodCertificate() throws Exception {
        decidesWhole("mtls-" + UUID.randomUUID());
        int port = decisionService.grpcPort;
        assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(decisionService.channel)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus(), "the good client is served");

        // no certificate: TLS that trusts the right CA but presents nothing
        StatusRuntimeException e = refused(port, TlsChannelCredentials.newBuilder()
                .trustManager(good.resolve("ca.crt").toFile()).build());
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
        // a certificate from the other CA
        e = refused(port, TlsChannelCredentials.newBuilder()
                .keyManager(other.resolve("tls.crt").toFile(), other.resolve("tls.key").toFile())
                .trustManager(good.resolve("ca.crt").toFile()).build());
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
        // a client that trusts only the other CA does not take the server's certificate
        e = refused(port, ClientTls.credentials(false, other));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
        // plaintext
        e = refused(port, InsecureChannelCredentials.create());
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
        // the same on the dependencies
        assertEquals(Status.Code.UNAVAILABLE, refused(dependencies.features.grpcPort, InsecureChannelCredentials.create()).getStatus().getCode());
        assertEquals(Status.Code.UNAVAILABLE, refused(dependencies.models.grpcPort, ClientTls.credentials(false, other)).getStatus().getCode());
    }

    /**
     * The gRPC-level fuzzer ({@link GrpcFuzzer}) over the same mutual-TLS channels: random requests built from every
     * RPC's descriptor of the three services (-Dfuzz.per-method each, 4 by default; -Dfuzz.seed). Every answer is OK or
     * a refusal a client can act on, never INTERNAL or UNKNOWN, and the services still decide whole afterwards.
     */
    @Test
    void randomRequestsToEveryRpcGetNoInternalOrUnknownStatus() {
        int perMethod = Integer.getInteger("fuzz.per-method", 4);
        long seed = Long.getLong("fuzz.seed", 20261207L);
        long seconds = Long.getLong("fuzz.seconds-per-service", 600);
        StringBuilder report = new StringBuilder();
        boolean found = false;
        Map<ServiceProcess, ServiceDescriptor> targets = new LinkedHashMap<>();
        targets.put(dependencies.features, FeatureServiceGrpc.getServiceDescriptor());
        targets.put(dependencies.models, ModelServiceGrpc.getServiceDescriptor());
        targets.put(decisionService, DecisionServiceGrpc.getServiceDescriptor());
        for (Map.Entry<ServiceProcess, ServiceDescriptor> t : targets.entrySet()) {
            GrpcFuzzer.Report r = new GrpcFuzzer(seed).run(t.getKey().channel, t.getValue(), perMethod, seconds, List.of());
            report.append(t.getValue().getName()).append(": ").append(r).append('\n');
            found |= !r.findings().isEmpty();
            assertEquals(perMethod * t.getValue().getMethods().size(), r.calls(), "every RPC, " + perMethod + " times: " + r);
        }
        System.out.println("MutualTlsIT gRPC fuzz (seed " + seed + ", " + perMethod + " per RPC):\n" + report);
        assertFalse(found, report.toString());
        decidesWhole("after-fuzz-" + UUID.randomUUID());
    }

    @Test
    void aServiceWithTlsOnAndNoCertificateDoesNotStartAndSaysWhatToSet() {
        LocalService bare = LocalService.start("mtls-it-unconfigured", Path.of(System.getProperty("feature-service.runner")),
                Map.of(LocalService.PLAINTEXT, "false"), Path.of("target"));
        try {
            RuntimeException failure = assertThrows(RuntimeException.class, () -> bare.awaitReady(Duration.ofSeconds(60)));
            assertTrue(bare.output().contains("quarkus.tls.arbiter.key-store.pem.service.cert"), failure.getMessage() + "\n" + bare.output());
        } finally {
            bare.kill();
        }
    }
}
