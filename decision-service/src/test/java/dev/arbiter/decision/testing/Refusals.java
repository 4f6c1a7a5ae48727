package dev.arbiter.decision.testing;

import dev.arbiter.testing.RefusalAssertions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.function.Executable;

/** Refusals must carry the right code and the field in their details; and bounded polling for asynchronous effects. */
public final class Refusals {

    private Refusals() {}

    /** The call is refused with {@code code} on exactly {@code field}, as the status details name it. */
    public static StatusRuntimeException refused(Status.Code code, String field, Executable call) {
        return RefusalAssertions.refused(code, field, call);
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
