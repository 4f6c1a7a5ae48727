package dev.arbiter.decision.client;

import dev.arbiter.proto.v1.DegradedCause;

/**
 * A dependency gave no usable answer: it was down, too slow, over budget or behind an open circuit. The decision
 * goes on degraded; {@link #getMessage()} is the degraded_reason ("model-service: deadline of 40 ms exceeded").
 */
public final class DependencyFailure extends RuntimeException {

    private final DegradedCause degradedCause;
    private final boolean counted;

    DependencyFailure(DegradedCause degradedCause, String reason, boolean counted, Throwable cause) {
        super(reason, cause, false, false);
        this.degradedCause = degradedCause;
        this.counted = counted;
    }

    /** What happened, for the decision's degraded_cause: unavailable, deadline or circuit open. */
    public DegradedCause degradedCause() {
        return degradedCause;
    }

    /** True when the failure is the dependency's and counts against its circuit breaker. */
    boolean counted() {
        return counted;
    }
}
