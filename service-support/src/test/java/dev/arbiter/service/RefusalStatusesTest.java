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
    void aMessageEchoingAHugeFieldKeepsItsStartAndItsFixAndFitsTheTrailers() {
        // found by the gRPC fuzzer: a 70,000-character decision_id echoed in the message made trailers no client takes
        String huge = "x".repeat(70_000);
        RequestRefused r = RequestRefused.invalid("decision_id", "decision_id \"" + huge + "\" is not a UUID; send the decision_id Decide answered");
        String message = r.getMessage();
        assertTrue(message.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= RequestRefused.MAX_MESSAGE_BYTES, message.length() + " chars");
        assertTrue(message.startsWith("decision_id \"xxx"), message);
        assertTrue(message.endsWith("is not a UUID; send the decision_id Decide answered"), message);
        assertTrue(message.contains("characters cut"), message);
        String fourByte = "\uD83D\uDE00".repeat(20_000); // surrogate pairs: never cut in half
        String cut = RequestRefused.invalid("f", fourByte).getMessage();
        assertTrue(cut.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= RequestRefused.MAX_MESSAGE_BYTES);
        assertTrue(!Character.isHighSurrogate(cut.charAt(cut.indexOf(" [...") - 1)), "no half pair before the note");
        assertEquals("short stays as it is", RequestRefused.invalid("f", "short stays as it is").getMessage());
        // and a field path carrying a request's map key
        RequestRefused key = RequestRefused.invalid("values[\"" + huge + "\"]", "values has an unknown parameter");
        assertEquals(RequestRefused.MAX_FIELD, key.field().length());
        assertTrue(key.field().startsWith("values[\"xxx") && key.field().endsWith("..."), key.field());
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
