package dev.arbiter.decision.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * The decide path ({@code arbiter.decision.*}): latency budgets, the dependencies' circuit breakers, which
 * features feed the policy, and where shared state lives in Redis. The live policy, the decision log and outcomes
 * have their own groups ({@link PolicyConfig}, {@link DecisionLogConfig}, {@link OutcomeConfig}).
 */
@ConfigMapping(prefix = "arbiter.decision")
public interface DecisionConfig {

    /** Prefix of every Redis key and channel of this service (risk state, policy change notices). */
    @WithDefault("arbiter:decision:")
    String redisPrefix();

    /**
     * How often each replica checks that Redis still holds a known risk state, and rebuilds it from the decision log
     * when Redis lost it (risk/RiskStateRebuild); 0 = only at start (tests call the rebuild themselves).
     */
    @WithDefault("1s")
    Duration riskCheckInterval();

    /** Longest accepted series id (the same limit as feature-service's arbiter.features.max-series-id-length). */
    @WithDefault("200")
    int maxSeriesIdLength();

    /** How far an observation's ts_micros may be ahead of the server clock before it is refused. */
    @WithDefault("1d")
    Duration maxFutureSkew();

    /** The ensemble to predict with; unset = model-service's default ensemble. */
    Optional<String> ensemble();

    /**
     * The feature whose value is the policy's volatility (std dev of log returns per observation); unset (the default) =
     * the feature the served schema marks as the policy's VOLATILITY input (the median volatility window).
     */
    Optional<String> volatilityFeature();

    /**
     * The feature whose value is the policy's trend strength (efficiency ratio in [0, 1]); unset (the default) = the
     * feature the served schema marks as the policy's TREND_STRENGTH input.
     */
    Optional<String> trendFeature();

    /**
     * DecideStream requests taken from the transport before their answers are sent; beyond it the client is held back
     * by HTTP/2 flow control.
     */
    @WithDefault("8")
    int streamWindow();

    /** How long a decision may take, and how that time is shared between the stages. */
    Budget budget();

    /** One circuit breaker per dependency (feature-service, model-service), both configured alike. */
    Breaker breaker();

    /** Several replicas of feature-service and model-service, where one of each is not enough. */
    Replicas replicas();

    /**
     * Where the replicas of the two dependencies are listed: {@code dns:///NAME:PORT} (a Kubernetes headless Service),
     * {@code file:PATH} (one HOST:PORT per line) or {@code HOST:PORT,HOST:PORT}; see service-support's ReplicaSource.
     * Unset, the dependency is the one address of {@code quarkus.grpc.clients.features} / {@code .models}.
     */
    interface Replicas {

        /**
         * feature-service replicas. Each series goes to one of them, by rendezvous hashing of its id over the members,
         * so that it is computed in one place; when a replica joins or leaves only its share of series moves. They
         * must run with {@code arbiter.features.sharded=true}, which keeps each series' state in Redis so that a moved
         * series continues bit for bit on its new replica.
         */
        Optional<String> features();

        /** model-service replicas, balanced call by call by gRPC's client-side {@code round_robin} over one channel. */
        Optional<String> models();

        /** How often the lists are read again (DNS resolved again: keep the JVM's DNS cache at most this long). */
        @WithDefault("5s")
        Duration refresh();
    }

    /** How long a decision may take, and how that time is shared between the stages. */
    interface Budget {

        /** The latency budget of a request whose latency_budget_ms is 0. */
        @WithDefault("50ms")
        Duration defaultBudget();

        /** Largest latency_budget_ms accepted; above it the request is INVALID_ARGUMENT. */
        @WithDefault("60s")
        Duration max();

        /**
         * Kept back from the budget (and from the caller's gRPC deadline) for the policy, the risk-state update and
         * the decision log, so a dependency that uses up its deadline still leaves time to answer: at least this, a
         * tenth of the budget when that is more, and never more than a fifth of it.
         */
        @WithDefault("10ms")
        Duration reserve();

        /** Kept back from feature-service's deadline for model-service, so a slow Ingest cannot starve Predict. */
        @WithDefault("10ms")
        Duration modelsShare();

        /** Shortest deadline worth sending a dependency; with less time left the stage is skipped as over budget. */
        @WithDefault("1ms")
        Duration minCall();
    }

    /** A circuit breaker over a rolling window of calls (SmallRye Fault Tolerance). */
    interface Breaker {

        /**
         * Calls in the rolling window the failure ratio is measured over. Wide enough that one stall (a pause that
         * times out every call in flight at once) is not taken for an outage: with 5 calls and ratio 1.0, 1,660 of
         * 4,000 decisions at 200/s were degraded by circuits opened that way; with 50 and 0.5, 27 (bench/README.md).
         */
        @WithDefault("50")
        int window();

        /** Share of failed calls in the window that opens the circuit. */
        @WithDefault("0.5")
        double failureRatio();

        /** How long the circuit stays open before one trial call is let through. */
        @WithDefault("2s")
        Duration delay();

        /** Successful trial calls that close the circuit again. */
        @WithDefault("1")
        int successThreshold();

        /**
         * A DEADLINE_EXCEEDED counts as the dependency's failure only when its deadline was at least this long: a
         * caller that sends a tiny latency budget must not open the circuit for everyone.
         */
        @WithDefault("5ms")
        Duration minCountedDeadline();
    }
}
