package dev.arbiter.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class RefusalStatusesTest {

    final RefusalStatuses statuses = new RefusalStatuses();

    Status statusOf(Throwable t) {
        return ((StatusRuntimeException) statuses.transform(t)).getStatus();
    }

    @Test
    void aRefusalIsItsStatus() {
        Status s = statusOf(new CompletionException(RequestRefused.invalid("observation.ts_micros", "too old")));
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
        assertEquals("too old", s.getDescription());
    }

    @Test
    void aBackingStoreThatCannotBeReachedInTimeIsUnavailableNotUnknown() {
        for (Throwable t : new Throwable[] {
                new RuntimeException("redis", new ConnectException("Connection refused")),
                new CompletionException(new TimeoutException("no answer in 5 s")),
                new IllegalStateException("pool", new io.vertx.core.http.ConnectionPoolTooBusyException("Connection pool reached max wait queue size of 24"))}) {
            Status s = statusOf(t);
            assertEquals(Status.Code.UNAVAILABLE, s.getCode(), t.toString());
            assertTrue(s.getDescription().endsWith("; retry"), s.getDescription());
        }
    }

    @Test
    void anythingElseIsLeftAsQuarkusMapsIt() {
        assertEquals(Status.Code.UNKNOWN, statusOf(new IllegalStateException("a bug")).getCode());
    }
}
