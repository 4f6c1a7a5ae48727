package dev.arbiter.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.arbiter.service.RefusalDetails;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import org.junit.jupiter.api.function.Executable;

/**
 * A refusal must carry the right code, say why, and name its field where a client reads it: the google.rpc.BadRequest
 * field violation in the status details (never the message text).
 */
public final class RefusalAssertions {

    private RefusalAssertions() {}

    /** Runs the call and asserts it is refused with {@code code} on exactly {@code field}. */
    public static StatusRuntimeException refused(Status.Code code, String field, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call, "expected " + code + " on " + field);
        assertRefused(code, field, e);
        return e;
    }

    /** Asserts the status is {@code code}, has a description, and its details name exactly {@code field}. */
    public static void assertRefused(Status.Code code, String field, StatusRuntimeException e) {
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        assertNotNull(e.getStatus().getDescription(), "a refusal says why: " + e.getStatus());
        assertEquals(Optional.of(field), RefusalDetails.field(e), "the field in the status details: " + e.getStatus());
    }
}
