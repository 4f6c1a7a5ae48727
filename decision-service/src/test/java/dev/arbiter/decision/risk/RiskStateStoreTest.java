package dev.arbiter.decision.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void aCommitThatNoLongerFitsUnderACapChangesNothingAndAnswersTheStateToDecideOn() {
        PolicyParameters p = PolicyParameters.defaults()
                .with(PolicyParameter.RISK_MAX_TOTAL_EXPOSURE, 1.0)
                .with(PolicyParameter.RISK_MAX_SERIES_EXPOSURE, 0.5);
        String a = "commit-a-" + UUID.randomUUID();
        String b = "commit-b-" + UUID.randomUUID();
        assertTrue(risk.commit(a, 1, 0.5, p).committed(), "up to the series cap");
        RiskStateStore.Commit overSeries = risk.commit(a, 1, 0.01, p);
        assertFalse(overSeries.committed(), "past the series cap on the same side");
        assertEquals(0.5, overSeries.current().getSeriesExposure(), 0.0);
        assertEquals(0.5, overSeries.current().getExposure(), 0.0);
        assertTrue(risk.commit(a, -1, 0.5, p).committed(), "the other side has the room of the open position and more");
        assertTrue(risk.commit(b, -1, 0.0, p).committed(), "a FLAT decision always commits");
        RiskStateStore.Commit overTotal = risk.commit(b, -1, 0.1, p);
        assertFalse(overTotal.committed(), "the total exposure 1.0 is used up");
        assertEquals(1.0, overTotal.current().getExposure(), 0.0);
        assertEquals(0, overTotal.current().getSeriesExposure(), 0.0);
        assertEquals(1.0, risk.read(b).getExposure(), 0.0, "a refused commit added nothing");
        // the policy sizes to the room it read, in doubles: the cap minus exposure, rounded to units, still fits
        risk.settle(a, 1, 0.5, 0, p);
        double room = 1.0 - risk.read(b).getExposure();
        assertTrue(risk.commit(b, 1, room, p).committed());
        assertEquals(1.0, risk.read(b).getExposure(), 1e-9);
    }

    /**
     * Many threads decide at once on a few series as decision-service does: read the state, size within the room the
     * caps leave, commit, and decide again on the answered state when another decision took the room. The caps hold
     * however the commits interleave, and the stored exposure is exactly the sum of the committed actions.
     */
    @Test
    void concurrentCommitsNeverPassTheExposureCaps() throws Exception {
        PolicyParameters p = PolicyParameters.defaults()
                .with(PolicyParameter.RISK_MAX_TOTAL_EXPOSURE, 1.0)
                .with(PolicyParameter.RISK_MAX_SERIES_EXPOSURE, 0.4);
        String[] series = new String[5];
        for (int i = 0; i < series.length; i++) {
            series[i] = "capped-" + i + "-" + UUID.randomUUID();
        }
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<long[]>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Random random = new Random(100 + t);
            done.add(pool.submit(() -> {
                go.await();
                long[] committed = new long[series.length + 1]; // units per series (signed), then stale answers
                for (int i = 0; i < 150; i++) {
                    int s = random.nextInt(series.length);
                    int direction = random.nextBoolean() ? 1 : -1;
                    double wanted = 0.02 + random.nextInt(100) * 1e-3;
                    RiskState state = risk.read(series[s]);
                    while (true) {
                        double room = Math.min(p.get(PolicyParameter.RISK_MAX_TOTAL_EXPOSURE) - state.getExposure(),
                                p.get(PolicyParameter.RISK_MAX_SERIES_EXPOSURE) - direction * state.getSeriesExposure());
                        double size = Math.max(0, Math.min(wanted, room));
                        RiskStateStore.Commit c = risk.commit(series[s], size > 0 ? direction : 0, size, p);
                        if (c.committed()) {
                            committed[s] += direction * RiskStateStore.units(size);
                            break;
                        }
                        committed[series.length]++;
                        state = c.current();
                    }
                }
                return committed;
            }));
        }
        go.countDown();
        long[] total = new long[series.length + 1];
        for (Future<long[]> f : done) {
            long[] c = f.get(60, TimeUnit.SECONDS);
            for (int i = 0; i < total.length; i++) {
                total[i] += c[i];
            }
        }
        pool.shutdown();
        long gross = 0;
        for (int s = 0; s < series.length; s++) {
            RiskState state = risk.read(series[s]);
            assertEquals(total[s] / RiskStateStore.SCALE, state.getSeriesExposure(), 0.0, "position of series " + s);
            assertTrue(Math.abs(state.getSeriesExposure()) <= 0.4 + 1e-8, "series cap: " + state.getSeriesExposure());
        }
        RiskState any = risk.read(series[0]);
        assertTrue(any.getExposure() <= 1.0 + 1e-8, "total cap: " + any.getExposure());
        assertTrue(any.getExposure() > 0.9, "the room was used: " + any.getExposure());
        assertTrue(total[series.length] > 0, "some commits found their room taken and decided again");
    }

    /**
     * The keys of a version before the cluster hash tag are renamed at start and keep their state; every risk key now
     * hashes to one cluster slot (the {portfolio} tag), so the two-key scripts also run on a Redis Cluster.
     */
    @Test
    void legacyKeysAreRenamedIntoOneClusterSlotAndKeepTheirState() {
        String prefix = RealDependenciesProfile.redisPrefix;
        String series = "legacy-" + UUID.randomUUID();
        RiskReset.lose(redis, prefix); // a version before the cluster hash tag wrote only the old names
        redis.hash(String.class).hset(prefix + "risk:portfolio", Map.of("exposure", "300000000", "equity", "-50000000", "peak", "0"));
        redis.hash(String.class).hset(prefix + "risk:series:" + series, Map.of("position", "-300000000", "cooldown", "2", "losses", "1"));
        assertEquals(2, risk.migrateLegacyKeys());
        RiskState state = risk.read(series);
        assertEquals(0.3, state.getExposure(), 0.0);
        assertEquals(0.05, state.getDrawdown(), 0.0);
        assertEquals(-0.3, state.getSeriesExposure(), 0.0);
        assertEquals(2, state.getCooldownRemaining());
        assertEquals(1, risk.consecutiveLosses(series));
        assertEquals(0, risk.migrateLegacyKeys(), "once");
        List<String> keys = redis.key().keys(prefix + "risk:*");
        assertEquals(2, keys.size(), keys.toString());
        for (String key : keys) {
            assertTrue(key.startsWith(prefix + "risk:{portfolio}"), key);
            assertEquals(io.vertx.redis.client.impl.ZModem.generate("portfolio"), io.vertx.redis.client.impl.ZModem.generate(key),
                    "one slot: " + key);
        }
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
