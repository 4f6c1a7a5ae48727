package dev.arbiter.service.tls;

import io.quarkus.arc.Unremovable;
import io.quarkus.grpc.api.ServerBuilderCustomizer;
import io.quarkus.grpc.runtime.config.GrpcServerConfiguration;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.grpc.VertxServerBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Mutual TLS on every service's gRPC server, from Quarkus' TLS registry: the server presents the certificate of the
 * registry's configuration {@value #NAME} ({@code quarkus.tls.arbiter.key-store.pem.*}) and accepts only clients whose
 * certificate is signed by a CA in its trust store ({@code quarkus.tls.arbiter.trust-store.pem.certs}); the client
 * certificate is required ({@code quarkus.grpc.server.ssl.client-auth=REQUIRED}). Quarkus' separate gRPC server reads
 * no registry configuration itself, so this customizer hands it the registry's key and trust options before Quarkus
 * turns TLS on ({@code quarkus.grpc.server.plain-text=false}).
 *
 * <p>On unless {@code arbiter.tls.plaintext=true}, which the dev and test profiles set (and the local demo and the
 * process tests, which start the packaged services); a service with TLS on and no registry configuration does not
 * start, and says which properties to set. Certificates are read at start: a renewed certificate takes a restart
 * (the Helm chart's pods roll when their Secret changes).
 */
@ApplicationScoped
@Unremovable // found by Quarkus' gRPC server through a lookup, never injected
public class ServerTls implements ServerBuilderCustomizer<VertxServerBuilder> {

    /** The TLS registry configuration every service uses. */
    public static final String NAME = "arbiter";

    private static final Logger LOG = Logger.getLogger(ServerTls.class);

    @Inject
    TlsConfigurationRegistry registry;

    @Override
    public void customize(GrpcServerConfiguration config, VertxServerBuilder builder) {
        if (config.plainText()) {
            LOG.warn("gRPC without TLS (arbiter.tls.plaintext=true): every call crosses the network readable and unauthenticated"
                    + " by certificate; only for development, tests and the local demo");
            return;
        }
        TlsConfiguration tls = configuration(registry);
        builder.useSsl(options -> {
            options.setKeyCertOptions(tls.getKeyStoreOptions());
            options.setTrustOptions(tls.getTrustStoreOptions());
        });
        LOG.info("gRPC with mutual TLS: the TLS registry's configuration '" + NAME + "', client certificates required");
    }

    /** The registry's configuration {@value #NAME}, with a key store and a trust store, or why the service cannot start. */
    public static TlsConfiguration configuration(TlsConfigurationRegistry registry) {
        TlsConfiguration tls = registry.get(NAME).orElseThrow(() -> new IllegalStateException(
                "TLS is on (arbiter.tls.plaintext is not true) but the TLS registry has no configuration '" + NAME + "': set"
                        + " quarkus.tls.arbiter.key-store.pem.service.cert, quarkus.tls.arbiter.key-store.pem.service.key and"
                        + " quarkus.tls.arbiter.trust-store.pem.certs to this service's certificate, its key and the CA"
                        + " (ARBITER_TLS_DIR names the directory with tls.crt, tls.key and ca.crt), or arbiter.tls.plaintext=true"
                        + " for a local run"));
        if (tls.getKeyStoreOptions() == null || tls.getTrustStoreOptions() == null) {
            throw new IllegalStateException("the TLS registry's configuration '" + NAME + "' needs both a key store (this"
                    + " service's certificate and key) and a trust store (the CA whose clients are accepted)");
        }
        return tls;
    }
}
