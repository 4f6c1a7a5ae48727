package dev.arbiter.cli.demo;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import dev.arbiter.cli.client.Service;
import dev.arbiter.cli.client.Services;
import dev.arbiter.cli.csv.ObservationFeed;
import dev.arbiter.cli.csv.ObservationReader;
import dev.arbiter.cli.output.Progress;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.DecideStreamResponse;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.OutcomeStatus;
import dev.arbiter.proto.v1.ReportOutcomeRequest;
import dev.arbiter.proto.v1.ReportOutcomeResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Replays observations through DecideStream as a live feed: at most {@code window} observations wait for their
 * decision, each decision's latency is measured from sending to answer, and once an observation {@code horizon}
 * steps later has been decided, the earlier decision's outcome (the realised return) is reported to decision-service.
 */
final class Replay {

    private final Services services;
    private final List<Observation> observations;
    private final int horizon;
    private final int window;
    private final int budgetMs;

    final Decision[] decisions;
    final double[] latencyMillis;
    final double[] realisedReturn;
    final double[] pnl;
    final OutcomeStatus[] outcomes;
    private final AtomicLongArray sentNanos;
    private int sending;
    private final List<String> refusals = new ArrayList<>();
    private final CountDownLatch reported;
    private volatile Throwable outcomeFailure;

    Replay(Services services, List<Observation> observations, int horizon, int window, int budgetMs) {
        this.services = services;
        this.observations = observations;
        this.horizon = horizon;
        this.window = window;
        this.budgetMs = budgetMs;
        int n = observations.size();
        decisions = new Decision[n];
        latencyMillis = new double[n];
        realisedReturn = new double[n];
        pnl = new double[n];
        outcomes = new OutcomeStatus[n];
        sentNanos = new AtomicLongArray(n);
        Arrays.fill(realisedReturn, Double.NaN);
        Arrays.fill(latencyMillis, Double.NaN);
        reported = new CountDownLatch(Math.max(0, n - horizon));
    }

    /** Sends every observation, waits for every decision and every outcome report; returns the refusals. */
    List<String> run(Progress progress) throws IOException, InterruptedException {
        int n = observations.size();
        int[] next = {0};
        ObservationFeed<DecideRequest, DecideStreamResponse> feed = new ObservationFeed<>(services, Service.DECISIONS, window,
                (line, answer) -> {
                    answered((int) (long) line, answer);
                    progress.update((double) (line + 1) / n, "decided " + (line + 1) + " of " + n);
                });
        services.streaming(Service.DECISIONS, DecisionServiceGrpc::newStub).decideStream(feed.observer());
        feed.run(() -> next[0] < n ? new ObservationReader.Row(next[0], observations.get(next[0]++), null, null) : null,
                this::request, row -> { });
        // Decisions refused or missing never get an outcome: count them off so the wait below ends.
        for (int i = horizon; i < n; i++) {
            if (decisions[i - horizon] == null || decisions[i] == null) {
                reported.countDown();
            }
        }
        if (!reported.await(services.callTimeout().toMillis() + 10_000, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("decision-service did not answer every outcome report within "
                    + services.callTimeout().toSeconds() + " s");
        }
        if (outcomeFailure != null) {
            throw services.error(Service.DECISIONS, outcomeFailure);
        }
        progress.finish("done");
        return refusals;
    }

    /** Called just before each send, in order: observation {@code sending} is the one going out now. */
    private DecideRequest request(Observation o) {
        sentNanos.set(sending++, System.nanoTime());
        return DecideRequest.newBuilder().setObservation(o).setLatencyBudgetMs(budgetMs).build();
    }

    private void answered(int i, DecideStreamResponse r) {
        long now = System.nanoTime();
        if (r.hasProblem()) {
            synchronized (refusals) {
                refusals.add(ObservationFeed.refused(i, r.getProblem()));
            }
            return;
        }
        latencyMillis[i] = (now - sentNanos.get(i)) / 1e6;
        decisions[i] = r.getDecision();
        int earlier = i - horizon;
        if (earlier >= 0 && decisions[earlier] != null) {
            report(earlier, observations.get(i).getValue() / observations.get(earlier).getValue() - 1);
        }
    }

    /** Reports decision {@code i}'s outcome without waiting for the answer. */
    private void report(int i, double ret) {
        realisedReturn[i] = ret;
        ReportOutcomeRequest request = ReportOutcomeRequest.newBuilder().setDecisionId(decisions[i].getDecisionId())
                .setRealisedReturn(ret).build();
        Futures.addCallback(services.unary(Service.DECISIONS, DecisionServiceGrpc::newFutureStub).reportOutcome(request),
                new FutureCallback<ReportOutcomeResponse>() {
                    @Override
                    public void onSuccess(ReportOutcomeResponse answer) {
                        outcomes[i] = answer.getStatus();
                        pnl[i] = answer.getPnl();
                        reported.countDown();
                    }

                    @Override
                    public void onFailure(Throwable t) {
                        outcomeFailure = t;
                        reported.countDown();
                    }
                }, MoreExecutors.directExecutor());
    }
}
