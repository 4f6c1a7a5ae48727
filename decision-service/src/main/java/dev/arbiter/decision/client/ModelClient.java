package dev.arbiter.decision.client;

import dev.arbiter.decision.config.DecisionConfig;
import dev.arbiter.proto.v1.FeatureVector;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.ModelServiceGrpc.ModelServiceStub;
import dev.arbiter.service.alerts.AlertSender;
import io.grpc.Channel;
import dev.arbiter.proto.v1.PredictRequest;
import dev.arbiter.proto.v1.Prediction;
import dev.arbiter.proto.v1.PredictionInput;
import dev.arbiter.proto.v1.PredictionTarget;
import dev.arbiter.service.Answer;
import io.micrometer.core.instrument.MeterRegistry;
import dev.arbiter.service.auth.CallerToken;
import io.quarkus.grpc.GrpcClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * model-service as the decide path calls it: Predict, asynchronous, with a deadline and behind a circuit breaker.
 * With {@code arbiter.decision.replicas.models} set, over one channel that gRPC's round_robin spreads over the
 * replicas ({@link ReplicaChannels}); otherwise to the one address of {@code quarkus.grpc.clients.models}.
 */
@ApplicationScoped
public class ModelClient {

    public static final String NAME = "model-service";

    private final ModelServiceStub stub;
    private final ReplicaChannels replicas;
    private final DependencyGuard guard;
    private final PredictionTarget target;

    public ModelClient(@GrpcClient("models") Channel channel, DecisionConfig config, MeterRegistry registry,
                       CallerToken identity, AlertSender alerts) {
        this.replicas = config.replicas().models()
                .map(source -> ReplicaChannels.roundRobin(NAME, source, config.replicas().refresh(), registry, identity))
                .orElse(null);
        // answers are handled on the transport thread: the path only completes futures there and moves anything
        // that may block to a worker, so a hop to another executor would only add latency
        this.stub = ModelServiceGrpc.newStub(replicas == null ? channel : replicas.balanced()).withExecutor(Runnable::run);
        this.guard = new DependencyGuard(NAME, config, registry, replicas == null ? channel : replicas.balanced(), alerts);
        this.target = config.ensemble().filter(e -> !e.isBlank())
                .map(e -> PredictionTarget.newBuilder().setEnsembleName(e).build())
                .orElse(PredictionTarget.getDefaultInstance());
    }

    @PreDestroy
    void close() {
        if (replicas != null) {
            replicas.close();
        }
    }

    public DependencyGuard guard() {
        return guard;
    }

    /**
     * Predicts on one feature vector for decision {@code decisionId} (so its outcome can later be reported by
     * decision id), with a deadline of whatever is left until {@code endNanos}.
     */
    public CompletableFuture<Prediction> predict(FeatureVector features, String decisionId, long endNanos) {
        PredictRequest request = PredictRequest.newBuilder()
                .setTarget(target)
                .setInput(PredictionInput.newBuilder().setFeatures(features))
                .setDecisionId(decisionId)
                .build();
        return guard.call(endNanos, deadline -> {
            Answer<Prediction> call = new Answer<>();
            stub.withDeadlineAfter(deadline, TimeUnit.NANOSECONDS).predict(request, call);
            return call;
        });
    }
}
