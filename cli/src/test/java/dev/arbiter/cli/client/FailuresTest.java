package dev.arbiter.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** Status codes in plain words with the fix, and their exit codes; addresses as the options take them. */
class FailuresTest {

    static ServiceError error(Service s, Status status) {
        return new ServiceError(s, new HostPort("127.0.0.1", s.defaultPort), status);
    }

    @Test
    void aServiceThatDoesNotAnswerSaysHowToStartOrFindIt() {
        ServiceError e = error(Service.OPTIMIZER, Status.UNAVAILABLE.withDescription("io exception")
                .withCause(new ConnectException("Connection refused")));
        assertEquals("optimizer-service does not answer at 127.0.0.1:9104: start it (see README) or pass --optimizer host:port",
                Failures.message(e));
        assertEquals(Failures.UNAVAILABLE, Failures.exitCode(e));
    }

    @Test
    void aServiceThatSaysUnavailableIsQuotedWithRetryAdvice() {
        ServiceError e = error(Service.FEATURES, Status.UNAVAILABLE.withDescription("restoring feature state from Redis"));
        assertEquals("feature-service at 127.0.0.1:9101 is not available right now: restoring feature state from Redis; "
                + "retry in a moment", Failures.message(e));
        assertEquals(Failures.UNAVAILABLE, Failures.exitCode(e));
    }

    @Test
    void refusalsQuoteTheServiceWhichNamesTheFieldAndTheFix() {
        ServiceError e = error(Service.OPTIMIZER, Status.INVALID_ARGUMENT.withDescription(
                "spec.walk_forward.test_observations is 0; send at least 1"));
        assertEquals("optimizer-service refused (INVALID_ARGUMENT): spec.walk_forward.test_observations is 0; send at least 1",
                Failures.message(e));
        assertEquals(Failures.REFUSED, Failures.exitCode(e));
        assertEquals(Failures.REFUSED, Failures.exitCode(error(Service.MODELS, Status.NOT_FOUND)));
        assertEquals(Failures.REFUSED, Failures.exitCode(error(Service.MODELS, Status.UNIMPLEMENTED)));
        assertEquals(Failures.UNAVAILABLE, Failures.exitCode(error(Service.MODELS, Status.DEADLINE_EXCEEDED)));
        assertEquals("model-service at 127.0.0.1:9102 does not implement this call (UNIMPLEMENTED): it is an older version "
                + "than this CLI; rebuild and restart it", Failures.message(error(Service.MODELS, Status.UNIMPLEMENTED)));
    }

    @Test
    void addressesTakeHostPortHostAlonePortAloneAndIpv6() {
        assertEquals(new HostPort("10.1.2.3", 9000), HostPort.parse("10.1.2.3:9000", 9104));
        assertEquals(new HostPort("optimizer", 9104), HostPort.parse("optimizer", 9104));
        assertEquals(new HostPort("127.0.0.1", 7000), HostPort.parse(":7000", 9104));
        assertEquals(new HostPort("::1", 9104), HostPort.parse("[::1]", 9104));
        assertEquals("[::1]:9000", HostPort.parse("[::1]:9000", 9104).toString());
        assertEquals("the port in 'h:x' is not a number; give host:port, e.g. 127.0.0.1:9104",
                assertThrows(IllegalArgumentException.class, () -> HostPort.parse("h:x", 1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("::1:9000", 1));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("h:0", 1));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse(" ", 1));
    }
}
