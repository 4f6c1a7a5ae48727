package dev.arbiter.service.tls;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.eclipse.microprofile.config.Config;

/**
 * The credentials of a channel a service (or the CLI, or a test) builds itself, to a service that runs mutual TLS
 * ({@link ServerTls}): the certificate and key it presents and the CA it trusts, from one directory laid out as a
 * Kubernetes TLS Secret (tls.crt, tls.key, ca.crt), or none when TLS is off. Quarkus' own gRPC clients read the same
 * files through {@code quarkus.grpc.clients.NAME.ssl.*}.
 */
public final class ClientTls {

    private ClientTls() {}

    /** Plaintext when {@code plaintext}, else mutual TLS with the files in {@code dir}. */
    public static ChannelCredentials credentials(boolean plaintext, Path dir) {
        if (plaintext) {
            return InsecureChannelCredentials.create();
        }
        try {
            return TlsChannelCredentials.newBuilder()
                    .keyManager(dir.resolve("tls.crt").toFile(), dir.resolve("tls.key").toFile())
                    .trustManager(dir.resolve("ca.crt").toFile())
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("the TLS files in " + dir + " (tls.crt, tls.key, ca.crt) could not be read: " + e.getMessage(), e);
        }
    }

    /** {@link #credentials(boolean, Path)} as this service is configured: arbiter.tls.plaintext and arbiter.tls.dir. */
    public static ChannelCredentials credentials(Config config) {
        boolean plaintext = config.getOptionalValue("arbiter.tls.plaintext", Boolean.class).orElse(false);
        return credentials(plaintext, Path.of(config.getOptionalValue("arbiter.tls.dir", String.class).orElse("/etc/arbiter/tls")));
    }
}
