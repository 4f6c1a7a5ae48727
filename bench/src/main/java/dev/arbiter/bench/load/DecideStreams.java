package dev.arbiter.bench.load;

import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.DecideStreamResponse;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A few {@code DecideStream} calls fed by the open loop. A series always goes to the same stream (series mod
 * streams), so its observations stay in order. decision-service answers each stream's requests in order and keeps
 * at most {@code window} of them unanswered; beyond that a request waits here in its stream's queue, and its latency
 * still counts from its due time. Nothing is dropped.
 */
final class DecideStreams implements OpenLoop.Fire, AutoCloseable {

    private record Pending(DecideRequest request, long due, Phase phase) {
    }

    private final Lane[] lanes;
    private final Observations observations;
    private final int latencyBudgetMs;
    private final int window;

    DecideStreams(Channel channel, int streams, int window, Observations observations, int latencyBudgetMs) {
        this.observations = observations;
        this.latencyBudgetMs = latencyBudgetMs;
        this.window = window;
        DecisionServiceGrpc.DecisionServiceStub stub = DecisionServiceGrpc.newStub(channel);
        lanes = new Lane[streams];
        for (int s = 0; s < streams; s++) {
            lanes[s] = new Lane();
            lanes[s].requests = (ClientCallStreamObserver<DecideRequest>) stub.decideStream(lanes[s]);
        }
    }

    @Override
    public void fire(long i, long dueNanos, Phase phase) {
        Lane lane = lanes[observations.series(i) % lanes.length];
        lane.offer(new Pending(observations.request(i, latencyBudgetMs), dueNanos, phase));
    }

    /** Half-closes each stream that has nothing left; cancels one that does (the phase is over). */
    @Override
    public void close() {
        for (Lane lane : lanes) {
            lane.close();
        }
    }

    /** One stream: answers come in request order, so the oldest unanswered request is the one answered. */
    private final class Lane implements StreamObserver<DecideStreamResponse> {

        private ClientCallStreamObserver<DecideRequest> requests;
        private final ArrayDeque<Pending> unanswered = new ArrayDeque<>();
        private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        private Status failure;

        void offer(Pending p) {
            Status failed;
            synchronized (this) {
                failed = failure;
                if (failed == null) {
                    if (unanswered.size() < window) {
                        send(p);
                    } else {
                        waiting.add(p);
                    }
                }
            }
            if (failed != null) {
                p.phase().failed(failed.getCode(), "the stream had failed: " + failed.getDescription());
            }
        }

        private void send(Pending p) {
            unanswered.add(p);
            requests.onNext(p.request());
        }

        @Override
        public void onNext(DecideStreamResponse response) {
            Pending p;
            synchronized (this) {
                p = unanswered.poll();
                Pending next = waiting.poll();
                if (next != null) {
                    send(next);
                }
            }
            if (p == null) {
                return; // an answer to nothing: cannot happen with a server that answers each request once
            }
            if (response.hasDecision()) {
                p.phase().decided(p.due(), response.getDecision());
            } else {
                p.phase().failed(Status.fromCodeValue(response.getProblem().getCode()).getCode(),
                        response.getProblem().getMessage());
            }
        }

        @Override
        public void onError(Throwable t) {
            List<Pending> lost;
            Status s = Status.fromThrowable(t);
            synchronized (this) {
                failure = s;
                lost = new ArrayList<>(unanswered);
                lost.addAll(waiting);
                unanswered.clear();
                waiting.clear();
            }
            lost.forEach(p -> p.phase().failed(s.getCode(), s.getDescription()));
        }

        @Override
        public void onCompleted() {
        }

        synchronized void close() {
            if (failure != null) {
                return;
            }
            if (unanswered.isEmpty() && waiting.isEmpty()) {
                requests.onCompleted();
            } else {
                unanswered.clear(); // left out of the phase's figures, which are taken already
                waiting.clear();
                requests.cancel("the load generator's phase is over", null);
            }
        }
    }
}
