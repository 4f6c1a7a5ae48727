package dev.arbiter.decision.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arbiter.decision.testing.RealDependenciesProfile;
import dev.arbiter.decision.testing.RiskReset;
import dev.arbiter.engine.policy.PolicyParameter;
import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.policy.RiskManager;
import dev.arbiter.proto.v1.RiskState;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The risk state in the real Redis: atomic under concurrency, exact sums, and engine RiskManager's cooldown rules. */
@QuarkusTest
@TestProfile(RealDependenciesProfile.class)
class RiskStateStoreTest {

    @Inject
    RiskStateStore risk;

    @Inject
    RedisDataSource redis;

    @BeforeEach
    void flat() {
        RiskReset.clear(redis, RealDependenciesProfile.redisPrefix);
    }

    @Test
    void concurrentDecisionsAndSettlementsFromManyThreadsLoseNoUpdate() throws Exception {
        PolicyParameters p = PolicyParameters.defaults();
        String[] series = new String[4];
        for (int i = 0; i < series.length; i++) {
            series[i] = "concurrent-" + i + "-" + UUID.randomUUID();
        }
        int threads = 8;
        int perThread = 400;
        long[] expectedPosition = new long[series.length];
        long expectedExposure = 0;
        long expectedEquity = 0;
        List<List<Object[]>> work = new ArrayList<>();
        Random random = new Random(7);
        for (int t = 0; t < threads; t++) {
            List<Object[]> ops = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                int s = random.nextInt(series.length);
                int direction = random.nextBoolean() ? 1 : -1;
                double size = random.nextInt(1000) * 1e-5 + 1e-9 * random.nextInt(7); // not binary fractions
                boolean settle = random.nextInt(3) == 0;
                double pnl = settle ? (random.nextDouble() - 0.5) * 0.01 : 0;
                ops.add(new Object[] {s, direction, size, settle, pnl});
                long units = RiskStateStore.units(size);
                if (settle) {
                    expectedEquity += RiskStateStore.units(pnl);
                } else {
                    expectedPosition[s] += direction * units;
                    expectedExposure += units;
                }
            }
            work.add(ops);
        }
        // settlements of actions never recorded would take exposure below zero: record them first, in one go
        for (List<Object[]> ops : work) {
            for (Object[] op : ops) {
                if ((boolean) op[3]) {
                    risk.onDecision(series[(int) op[0]], (int) op[1], (double) op[2], p);
                }
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (List<Object[]> ops : work) {
            done.add(pool.submit(() -> {
                go.await();
                for (Object[] op : ops) {
                    String s = series[(int) op[0]];
                    if ((boolean) op[3]) {
                        risk.settle(s, (int) op[1], (double) op[2], (double) op[4], p);
                    } else {
                        risk.onDecision(s, (int) op[1], (double) op[2], p);
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        for (int s = 0; s < series.length; s++) {
            RiskState state = risk.read(series[s]);
            assertEquals(expectedPosition[s] / RiskStateStore.SCALE, state.getSeriesExposure(), 0.0, "position of series " + s);
            assertEquals(expectedExposure / RiskStateStore.SCALE, state.getExposure(), 0.0, "total exposure");
        }
        assertEquals(expectedEquity / RiskStateStore.SCALE, risk.equity(), 0.0, "equity");
    }

    @Test
    void lossesCooldownsAndTheirCountdownFollowEngineRiskManager() {
        PolicyParameters p = PolicyParameters.defaults().with(Map.of("risk.cooldown_losses", 2.0, "risk.cooldown_observations", 3.0));
        String series = "cooldown-" + UUID.randomUUID();
        Random random = new Random(11);
        int losses = 0;
        int cooldown = 0;
        for (int step = 0; step < 400; step++) {
            if (random.nextInt(3) == 0) {
                double pnl = switch (random.nextInt(5)) {
                    case 0 -> 0;
                    case 1, 2 -> -random.nextDouble() * 0.01;
                    default -> random.nextDouble() * 0.01;
                };
                risk.onDecision(series, 1, 0.01, p);
                cooldown = Math.max(cooldown - 1, 0);
                risk.settle(series, 1, 0.01, pnl, p);
                int c = RiskManager.cooldownAfter(p, losses, cooldown, pnl);
                losses = RiskManager.lossesAfter(p, losses, pnl);
                cooldown = c;
            } else {
                risk.onDecision(series, 0, 0, p);
                cooldown = Math.max(cooldown - 1, 0);
            }
            assertEquals(cooldown, risk.read(series).getCooldownRemaining(), "cooldown after step " + step);
            assertEquals(losses, risk.consecutiveLosses(series), "losses after step " + step);
        }
        assertEquals(0, risk.read(series).getSeriesExposure(), 1e-12, "every action settled");
        assertEquals(p.get(PolicyParameter.RISK_COOLDOWN_OBSERVATIONS), 3.0);
    }

    @Test
    void drawdownIsTheFallFromThePeakOfCumulativePnl() {
        PolicyParameters p = PolicyParameters.defaults();
        String series = "drawdown-" + UUID.randomUUID();
        risk.onDecision(series, 1, 0.2, p);
        risk.onDecision(series, -1, 0.1, p);
        RiskState open = risk.read(series);
        assertEquals(0.3, open.getExposure(), 1e-12);
        assertEquals(0.1, open.getSeriesExposure(), 1e-12);
        risk.settle(series, 1, 0.2, 0.1, p);
        risk.settle(series, -1, 0.1, -0.15, p);
        RiskState after = risk.read(series);
        assertEquals(0, after.getExposure(), 1e-12);
        assertEquals(0, after.getSeriesExposure(), 1e-12);
        assertEquals(0.15, after.getDrawdown(), 1e-12, "peak 0.1, equity -0.05");
    }

    @Test
    void undoReversesADecisionThatCouldNotBeLogged() {
        PolicyParameters p = PolicyParameters.defaults().with(Map.of("risk.cooldown_losses", 1.0, "risk.cooldown_observations", 2.0));
        String series = "undo-" + UUID.randomUUID();
        risk.onDecision(series, 1, 0.05, p);
        risk.settle(series, 1, 0.05, -0.01, p);
        RiskState before = risk.read(series);
        assertEquals(2, before.getCooldownRemaining());
        boolean consumed = risk.recordDecision(series, -1, 0.07);
        risk.undo(series, -1, 0.07, consumed);
        assertEquals(before, risk.read(series));
    }
}
