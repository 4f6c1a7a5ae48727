package dev.arbiter.decision.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.function.Executable;

/** Refusals must carry the right code and name the field; and bounded polling for asynchronous effects. */
public final class Refusals {

    private Refusals() {}

    public static StatusRuntimeException refused(Status.Code code, String field, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call, "expected " + code + " naming " + field);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        String description = e.getStatus().getDescription();
        assertNotNull(description, "a refusal says why: " + e.getStatus());
        assertTrue(description.contains(field), "the description names " + field + ": " + description);
        return e;
    }

    public static StatusRuntimeException invalid(String field, Executable call) {
        return refused(Status.Code.INVALID_ARGUMENT, field, call);
    }

    /** Waits until {@code done} holds, checking every 10 ms, for at most {@code seconds}: for effects of other threads or processes. */
    public static void await(String what, int seconds, BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not happen within " + seconds + " s");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // poll interval
        }
    }
}
