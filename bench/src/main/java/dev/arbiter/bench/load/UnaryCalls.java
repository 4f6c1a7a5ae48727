package dev.arbiter.bench.load;

import dev.arbiter.proto.v1.DecisionServiceGrpc;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.util.function.BiConsumer;

/** The unary calls the open loop fires: the empty floor call and Decide, both through the asynchronous stub. */
final class UnaryCalls {

    private UnaryCalls() {
    }

    /** {@code grpc.health.v1.Health/Check}: an empty call through the same channel, network stack and server. */
    static OpenLoop.Fire health(Channel channel) {
        HealthGrpc.HealthStub stub = HealthGrpc.newStub(channel);
        HealthCheckRequest request = HealthCheckRequest.getDefaultInstance();
        return (i, due, phase) -> stub.check(request, answer(phase, (p, response) -> p.answered(due)));
    }

    /** {@code DecisionService/Decide} with request i's observation. */
    static OpenLoop.Fire decide(Channel channel, Observations observations, int latencyBudgetMs) {
        DecisionServiceGrpc.DecisionServiceStub stub = DecisionServiceGrpc.newStub(channel);
        return (i, due, phase) -> stub.decide(observations.request(i, latencyBudgetMs),
                answer(phase, (p, decision) -> p.decided(due, decision)));
    }

    private static <T> StreamObserver<T> answer(Phase phase, BiConsumer<Phase, T> onAnswer) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                onAnswer.accept(phase, value);
            }

            @Override
            public void onError(Throwable t) {
                Status s = Status.fromThrowable(t);
                phase.failed(s.getCode(), s.getDescription());
            }

            @Override
            public void onCompleted() {
            }
        };
    }
}
