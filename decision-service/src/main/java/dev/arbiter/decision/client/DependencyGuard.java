package dev.arbiter.decision.client;

import dev.arbiter.decision.config.DecisionConfig;
import dev.arbiter.proto.v1.DegradedCause;
import io.grpc.Status;
import dev.arbiter.service.alerts.Alert;
import dev.arbiter.service.alerts.AlertEvent;
import dev.arbiter.service.alerts.AlertSender;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.TypedGuard;
import jakarta.enterprise.util.TypeLiteral;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.LongFunction;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * One downstream service seen from the decide path: every call gets a deadline cut to what the caller has left
 * and goes through the dependency's circuit breaker (SmallRye Fault Tolerance). Whatever goes wrong comes back as
 * a {@link DependencyFailure} whose message names the dependency and what happened, ready to be a degraded_reason;
 * a refusal of the request itself (INVALID_ARGUMENT, FAILED_PRECONDITION, RESOURCE_EXHAUSTED ...) comes back as the
 * StatusRuntimeException, and does not count against the breaker. RESOURCE_EXHAUSTED is a refusal: the services
 * answer it for a request over one of their limits (feature-service's series cap, an upload's size), so a client
 * sending series beyond the cap is told so and cannot open the circuit for every other series.
 */
public final class DependencyGuard {

    private final String name;
    private final DecisionConfig.Breaker breaker;
    private final long minCallNanos;
    private final long minCountedNanos;
    private final TypedGuard<CompletionStage<Object>> guard;
    private volatile CircuitBreakerState state = CircuitBreakerState.CLOSED;
    private volatile long openedAtNanos;
    private final MeterRegistry registry;
    private final Gauge gauge;

    /** Makes a channel try to connect now rather than after its reconnect backoff; nothing for a test's stand-in. */
    private final Runnable reconnect;

    /** Told when the circuit opens. */
    private final AlertSender alerts;

    /** The one breaker of a dependency at one address, reached through {@code channel} (see {@link #reconnect}). */
    public DependencyGuard(String name, DecisionConfig config, MeterRegistry registry, Channel channel, AlertSender alerts) {
        this(name, null, config, registry, channel, alerts);
    }

    /**
     * The breaker of one replica of a dependency ({@code replica} HOST:PORT; null for a dependency at one address): a
     * replica that is down opens its own circuit, and the series the other replicas hold go on.
     */
    public DependencyGuard(String name, String replica, DecisionConfig config, MeterRegistry registry, Channel channel,
                           AlertSender alerts) {
        this.name = replica == null ? name : name + " " + replica;
        this.alerts = alerts;
        this.reconnect = channel instanceof ManagedChannel managed ? managed::resetConnectBackoff : () -> { };
        this.registry = registry;
        this.breaker = config.breaker();
        this.minCallNanos = config.budget().minCall().toNanos();
        this.minCountedNanos = breaker.minCountedDeadline().toNanos();
        this.guard = TypedGuard.create(new TypeLiteral<CompletionStage<Object>>() {})
                .withCircuitBreaker()
                .name("arbiter-decision-" + name + (replica == null ? "" : "-" + replica))
                .requestVolumeThreshold(breaker.window())
                .failureRatio(breaker.failureRatio())
                .delay(breaker.delay().toMillis(), ChronoUnit.MILLIS)
                .successThreshold(breaker.successThreshold())
                .when(t -> unwrap(t) instanceof DependencyFailure f && f.counted())
                .onStateChange(this::stateChanged)
                .done()
                .build();
        this.gauge = Gauge.builder("arbiter.decision.dependency.circuit", this, g -> switch (g.state) {
                    case CLOSED -> 0;
                    case HALF_OPEN -> 0.5;
                    case OPEN -> 1;
                })
                .description("Circuit breaker of a dependency (of one of its replicas): 0 closed, 0.5 half-open, 1 open")
                .tag("dependency", name)
                .tag("replica", replica == null ? "all" : replica)
                .register(registry);
    }

    /** For a replica that left: its gauge goes. */
    void close() {
        registry.remove(gauge);
    }

    public String name() {
        return name;
    }

    /** The breaker's state now. */
    public CircuitBreakerState state() {
        return state;
    }

    /**
     * When the circuit opens, and again when it lets its trial call through, the channel is told to connect at once.
     * A gRPC channel whose connection attempts failed (the dependency was killed and is starting again) waits out an
     * exponential backoff, up to two minutes, failing every call at once meanwhile; the trial call would then fail
     * although the dependency is back, and the circuit open again. Found by the Jepsen-style run: after a
     * feature-service restart, decisions stayed degraded for tens of seconds. With this, a dependency that is back is
     * used again within the breaker's delay.
     */
    private void stateChanged(CircuitBreakerState s) {
        if (s == CircuitBreakerState.OPEN) {
            openedAtNanos = System.nanoTime();
            if (state != CircuitBreakerState.HALF_OPEN) {
                alerts.send(new Alert(AlertEvent.CIRCUIT_BREAKER_OPEN, name, "circuit to " + name + " opened",
                        "The circuit breaker to " + name + " opened: at least " + Math.round(breaker.failureRatio() * 100)
                                + " % of the last " + breaker.window() + " calls failed. Decisions that need it are"
                                + " degraded (FLAT, cause CIRCUIT_OPEN) until a trial call after "
                                + breaker.delay().toMillis() + " ms succeeds; see the gauge arbiter.decision.dependency.circuit."));
            }
        }
        state = s;
        if (s != CircuitBreakerState.CLOSED) {
            reconnect.run();
        }
    }

    /**
     * Calls the dependency with a deadline of what is left until {@code endNanos} (a System.nanoTime() instant).
     *
     * @param call given the deadline in nanoseconds, starts the call
     */
    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<T> call(long endNanos, LongFunction<CompletableFuture<T>> call) {
        long deadline = endNanos - System.nanoTime();
        if (deadline < minCallNanos) {
            return CompletableFuture.failedFuture(new DependencyFailure(DegradedCause.DEGRADED_CAUSE_DEADLINE, name + ": no time left in the latency budget ("
                    + millis(Math.max(deadline, 0)) + " remaining); raise latency_budget_ms or the gRPC deadline", false, null));
        }
        CompletableFuture<Object> result = new CompletableFuture<>();
        CompletionStage<Object> guarded;
        try {
            guarded = guard.get(() -> call.apply(deadline)
                    .handle((value, error) -> {
                        if (error == null) {
                            return CompletableFuture.completedFuture((Object) value);
                        }
                        return CompletableFuture.failedFuture(classify(unwrap(error), deadline));
                    })
                    .thenCompose(f -> f));
        } catch (RuntimeException e) {
            guarded = CompletableFuture.failedFuture(e);
        }
        guarded.whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
            } else {
                Throwable e = unwrap(error);
                result.completeExceptionally(e instanceof CircuitBreakerOpenException ? open() : e);
            }
        });
        return (CompletableFuture<T>) result;
    }

    private Throwable classify(Throwable e, long deadlineNanos) {
        if (!(e instanceof StatusRuntimeException s)) {
            return new DependencyFailure(DegradedCause.DEGRADED_CAUSE_DEPENDENCY_UNAVAILABLE, name + ": " + e, true, e);
        }
        Status status = s.getStatus();
        return switch (status.getCode()) {
            case DEADLINE_EXCEEDED -> new DependencyFailure(DegradedCause.DEGRADED_CAUSE_DEADLINE, name + ": deadline of " + millis(deadlineNanos) + " exceeded",
                    deadlineNanos >= minCountedNanos, e);
            case UNAVAILABLE, UNKNOWN, INTERNAL, CANCELLED, ABORTED, DATA_LOSS, UNIMPLEMENTED ->
                    new DependencyFailure(DegradedCause.DEGRADED_CAUSE_DEPENDENCY_UNAVAILABLE, name + ": " + status.getCode() + describe(status), true, e);
            // this service's own identity was refused (arbiter.auth.token-file): a deployment fault, not the caller's
            case UNAUTHENTICATED, PERMISSION_DENIED ->
                    new DependencyFailure(DegradedCause.DEGRADED_CAUSE_DEPENDENCY_UNAVAILABLE, name + ": " + status.getCode() + describe(status)
                            + "; decision-service's own token (arbiter.auth.token-file) lacks a role the call needs", true, e);
            // the request itself was refused: the caller's problem, not the dependency's
            default -> e;
        };
    }

    private DependencyFailure open() {
        long left = breaker.delay().toNanos() - (System.nanoTime() - openedAtNanos);
        int failures = (int) Math.ceil(breaker.window() * breaker.failureRatio());
        return new DependencyFailure(DegradedCause.DEGRADED_CAUSE_CIRCUIT_OPEN, name + ": circuit open after " + failures + " failures in the last " + breaker.window()
                + " calls, retry in " + seconds(Math.max(left, 0)), false, null);
    }

    private static String describe(Status status) {
        String d = status.getDescription();
        if (d == null && status.getCause() != null) {
            d = status.getCause().getMessage();
        }
        return d == null || d.isBlank() ? "" : " (" + d + ")";
    }

    static String millis(long nanos) {
        double ms = nanos / 1e6;
        return ms >= 10 ? Math.round(ms) + " ms" : String.format(Locale.ROOT, "%.1f ms", ms);
    }

    private static String seconds(long nanos) {
        double s = nanos / 1e9;
        return s >= 10 ? Math.round(s) + " s" : String.format(Locale.ROOT, "%.1f s", s);
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
