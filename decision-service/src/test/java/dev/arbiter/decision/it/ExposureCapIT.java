package dev.arbiter.decision.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.testing.Msft;
import dev.arbiter.decision.testing.MsftModels;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.DecisionServiceGrpc.DecisionServiceBlockingStub;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.SetParametersRequest;
import dev.arbiter.testing.ServiceProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two decision-service processes sharing one Redis risk state decide at once on many series under a tight total
 * exposure cap: together they never pass it. No outcome is reported, so the open exposure only grows, and the sum of
 * every action's size bounds it after every step.
 */
class ExposureCapIT {

    static final int SERIES = 16;
    static final double CAP = 0.6;

    static Decision decide(DecisionServiceBlockingStub stub, Observation o) {
        return stub.decide(DecideRequest.newBuilder().setObservation(o).setLatencyBudgetMs(5000).build());
    }

    static DecisionServiceBlockingStub stub(ServiceProcess p) {
        return DecisionServiceGrpc.newBlockingStub(p.channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @Test
    void twoReplicasDecidingAtOnceNeverPassTheTotalExposureCap() throws Exception {
        try (ServiceStack stack = ServiceStack.start("exposure-cap-it", Map.of())) {
            MsftModels.deployConstant(stack.models.channel, 0.8); // every warm decision wants to act
            List<List<Observation>> series = new ArrayList<>();
            for (int i = 0; i < SERIES; i++) {
                series.add(Msft.observations("cap-" + i + "-" + UUID.randomUUID(), 75));
            }
            // Warm every series with the cap at 0 (nothing acts), then open the cap and start the second replica,
            // which reads the live parameters at start.
            setCap(stack.decisions, 0);
            ExecutorService pool = Executors.newFixedThreadPool(SERIES);
            try {
                List<Future<?>> warm = new ArrayList<>();
                for (List<Observation> s : series) {
                    warm.add(pool.submit(() -> s.subList(0, 74).forEach(o -> decide(stub(stack.decisions), o))));
                }
                for (Future<?> f : warm) {
                    f.get(300, TimeUnit.SECONDS);
                }
                setCap(stack.decisions, CAP);
                try (ServiceProcess second = stack.anotherDecisionService("exposure-cap-it-2",
                        Map.of("arbiter.decision.redis-prefix", stack.decisionRedisPrefix))) {
                    CountDownLatch go = new CountDownLatch(1);
                    List<Future<Decision>> answers = new ArrayList<>();
                    for (int i = 0; i < SERIES; i++) {
                        ServiceProcess replica = i % 2 == 0 ? stack.decisions : second;
                        Observation last = series.get(i).get(74);
                        answers.add(pool.submit(() -> {
                            go.await();
                            return decide(stub(replica), last);
                        }));
                    }
                    go.countDown();
                    List<Decision> made = new ArrayList<>();
                    for (Future<Decision> f : answers) {
                        made.add(f.get(120, TimeUnit.SECONDS));
                    }
                    assertTrue(made.stream().noneMatch(Decision::getDegraded), made.toString());
                    assertTrue(made.stream().allMatch(d -> d.getFeatures().getWarm()), "every series is warm");
                    double total = made.stream().mapToDouble(Decision::getSize).sum();
                    assertTrue(total <= CAP + 1e-8, "the total exposure cap " + CAP + " holds across replicas: " + total);
                    assertTrue(total >= CAP - 0.25 - 1e-8, "the room was used (each action up to risk.max_size 0.25): " + total);
                    assertTrue(made.stream().filter(d -> d.getDirection() != Direction.DIRECTION_FLAT).count() >= 2, made.toString());
                    for (Decision d : made) {
                        assertTrue(d.getRiskState().getExposure() + d.getSize() <= CAP + 1e-8,
                                "sized within the room of the state it logged: " + d.getRiskState() + " size " + d.getSize());
                    }
                    assertFalse(made.stream().anyMatch(d -> d.getSize() > 0 && d.getRiskState().getExposure() >= CAP - 1e-9),
                            "no action where the state it logged had no room");
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    static void setCap(ServiceProcess decisions, double cap) {
        stub(decisions).setParameters(SetParametersRequest.newBuilder()
                .putValues("risk.max_total_exposure", ParameterValue.newBuilder().setDoubleValue(cap).build())
                .setAuthor("exposure-cap-it").setReason("a tight cap").build());
    }
}
