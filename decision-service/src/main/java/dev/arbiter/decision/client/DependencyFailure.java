package dev.arbiter.decision.client;

/**
 * A dependency gave no usable answer: it was down, too slow, over budget or behind an open circuit. The decision
 * goes on degraded; {@link #getMessage()} is the degraded_reason ("model-service: deadline of 40 ms exceeded").
 */
public final class DependencyFailure extends RuntimeException {

    private final boolean counted;

    DependencyFailure(String reason, boolean counted, Throwable cause) {
        super(reason, cause, false, false);
        this.counted = counted;
    }

    /** True when the failure is the dependency's and counts against its circuit breaker. */
    boolean counted() {
        return counted;
    }
}
