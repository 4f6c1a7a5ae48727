package dev.arbiter.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The lines Quarkus 3.33 prints once a service listens (copied from a feature-service started on ports 0). */
class BoundPortsTest {

    static final String GRPC_LINE = "2026-12-04 22:44:56,261 INFO  [io.quarkus.grpc.runtime.GrpcServerRecorder] "
            + "(vert.x-eventloop-thread-0) Started gRPC server on 0.0.0.0:34309 [TLS enabled: false]\n";
    static final String HTTP_LINE = "2026-12-04 22:44:56,926 INFO  [io.quarkus] (main) feature-service 0.1.0-SNAPSHOT on "
            + "JVM (powered by Quarkus 3.33.2) started in 2.968s. Listening on: http://0.0.0.0:35347\n";

    @Test
    void bothPortsComeFromQuarkusStartupLines() {
        assertEquals(Optional.of(new BoundPorts(34309, 35347)), BoundPorts.in("banner\n" + GRPC_LINE + "restored 0 series\n" + HTTP_LINE));
    }

    @Test
    void nothingIsReportedUntilBothLinesAreThere() {
        assertTrue(BoundPorts.in("").isEmpty());
        assertTrue(BoundPorts.in(GRPC_LINE).isEmpty());
        assertTrue(BoundPorts.in(HTTP_LINE).isEmpty());
    }

    @Test
    void anIpv6HostAndHttpsAreRead() {
        assertEquals(Optional.of(new BoundPorts(40091, 42077)), BoundPorts.in(
                "Started gRPC server on [::]:40091 [TLS enabled: true]\nstarted in 2.8s. Listening on: https://[::]:42077\n"));
    }
}
