package dev.arbiter.decision.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.testing.Msft;
import dev.arbiter.decision.testing.RealDependenciesProfile;
import dev.arbiter.decision.testing.RiskReset;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc.DecisionServiceBlockingStub;
import dev.arbiter.proto.v1.DegradedCause;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.OutcomeStatus;
import dev.arbiter.proto.v1.ReportOutcomeRequest;
import dev.arbiter.proto.v1.RiskState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Redis loses the risk state (every key of this application gone, as a restart without persistence leaves it): while
 * it is unknown decisions are FLAT and degraded and outcomes are refused as UNAVAILABLE with nothing claimed; the
 * rebuild from the decision log gives back exactly the state Redis held (exposure, equity and its peak, each series'
 * position, losses and cooldown), and everything goes on from there.
 */
@QuarkusTest
@TestProfile(RealDependenciesProfile.class)
class RiskStateRebuildTest {

    @GrpcClient("decision")
    DecisionServiceBlockingStub decisions;

    @Inject
    RiskStateStore risk;

    @Inject
    RiskStateRebuild rebuild;

    @Inject
    RedisDataSource redis;

    @Inject
    DataSource db;

    Decision decide(Observation o) {
        return decisions.decide(DecideRequest.newBuilder().setObservation(o).setLatencyBudgetMs(2000).build());
    }

    OutcomeStatus report(Decision d, double realisedReturn) {
        return decisions.reportOutcome(ReportOutcomeRequest.newBuilder().setDecisionId(d.getDecisionId())
                .setRealisedReturn(realisedReturn).build()).getStatus();
    }

    /** The state starts at zero now: Redis emptied, and the log counted from now on (the origin moved). */
    void startAtZero() throws Exception {
        RiskReset.clear(redis, RealDependenciesProfile.redisPrefix);
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE decision.risk_state_origin SET since_ts_micros = ? WHERE redis_prefix = ?")) {
            ps.setLong(1, dev.arbiter.service.ObservationTimes.nowMicros());
            ps.setString(2, RealDependenciesProfile.redisPrefix);
            assertEquals(1, ps.executeUpdate(), "the application's state has an origin since its start");
        }
    }

    record Seen(RiskState state, int losses) {}

    @Test
    void aLostStateIsUnknownUntilRebuiltFromTheLogExactlyAsItWas() throws Exception {
        RealDependenciesProfile.ensembleAnswers(0.8);
        io.smallrye.faulttolerance.api.CircuitBreakerMaintenance.get().resetAll();
        startAtZero();
        String run = UUID.randomUUID().toString();
        List<String> series = List.of("rebuild-a-" + run, "rebuild-b-" + run, "rebuild-c-" + run);
        List<List<Observation>> observations = new ArrayList<>();
        for (String s : series) {
            observations.add(Msft.observations(s, 120));
        }
        // Decide on the three series in turn; settle most acted decisions as they come: series a always loses (its
        // losses reach the cooldown and outweigh everything else, so the equity ends below its peak whatever the
        // order), b wins or loses a little, c is never settled. A return's sign is relative to the decision's
        // direction: pnl = direction x size x realised return.
        Random random = new Random(5);
        List<Decision> open = new ArrayList<>();
        int acted = 0;
        int settled = 0;
        for (int i = 0; i < 110; i++) {
            for (int s = 0; s < series.size(); s++) {
                Decision d = decide(observations.get(s).get(i));
                assertFalse(d.getDegraded(), d.getDegradedReason());
                if (d.getDirection() == Direction.DIRECTION_FLAT) {
                    continue;
                }
                acted++;
                if (s < 2 && random.nextInt(4) != 0) {
                    int sign = d.getDirection() == Direction.DIRECTION_LONG ? 1 : -1;
                    double r = s == 0
                            ? -sign * (0.004 + random.nextDouble() * 0.01)
                            : sign * (0.0005 + random.nextDouble() * 0.002) * (random.nextBoolean() ? 1 : -1);
                    assertEquals(OutcomeStatus.OUTCOME_STATUS_JOINED, report(d, r));
                    settled++;
                } else {
                    open.add(d);
                }
            }
        }
        assertTrue(acted > 20 && settled > 10 && open.size() > 5, acted + " acted, " + settled + " settled, " + open.size() + " open");
        List<Seen> before = new ArrayList<>();
        for (String s : series) {
            before.add(new Seen(risk.read(s), risk.consecutiveLosses(s)));
        }
        double equityBefore = risk.equity();
        assertTrue(before.get(0).state().getDrawdown() > 0, "series a's losses drew the equity down: " + before.get(0));
        assertTrue(before.get(0).state().getExposure() > 0, "positions are open");

        RiskReset.lose(redis, RealDependenciesProfile.redisPrefix);

        assertThrows(RiskStateUnknown.class, () -> risk.read(series.get(0)));
        Decision unknown = decide(observations.get(2).get(110));
        assertTrue(unknown.getDegraded(), "a decision on a forgotten state is degraded");
        assertEquals(Direction.DIRECTION_FLAT, unknown.getDirection());
        assertEquals(DegradedCause.DEGRADED_CAUSE_RISK_STATE_UNAVAILABLE, unknown.getDegradedCause());
        assertTrue(unknown.getDegradedReason().contains("rebuilt from the decision log"), unknown.getDegradedReason());
        Decision refused = open.get(0);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> report(refused, 0.01));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("report it again"), e.getStatus().getDescription());
        assertFalse(risk.known(), "the FLAT decision and the refused outcome wrote nothing");

        assertEquals(RiskStateRebuild.Result.REBUILT, rebuild.check());
        assertEquals(RiskStateRebuild.Result.KNOWN, rebuild.check(), "once");
        for (int s = 0; s < series.size(); s++) {
            RiskState now = risk.read(series.get(s));
            Seen was = before.get(s);
            assertEquals(was.state().getExposure(), now.getExposure(), 0.0, "exposure, series " + s);
            assertEquals(was.state().getDrawdown(), now.getDrawdown(), 0.0, "drawdown, series " + s);
            assertEquals(was.state().getSeriesExposure(), now.getSeriesExposure(), 0.0, "position, series " + s);
            assertEquals(was.state().getCooldownRemaining(), now.getCooldownRemaining(), "cooldown, series " + s);
            assertEquals(was.losses(), risk.consecutiveLosses(series.get(s)), "consecutive losses, series " + s);
        }
        assertEquals(equityBefore, risk.equity(), 0.0);

        // the refused outcome is taken now and settles its position
        assertEquals(OutcomeStatus.OUTCOME_STATUS_JOINED, report(refused, 0.01));
        assertEquals(before.get(series.indexOf(refused.getSeriesId())).state().getSeriesExposure() - refused.getSize() * (refused.getDirection() == Direction.DIRECTION_LONG ? 1 : -1),
                risk.read(refused.getSeriesId()).getSeriesExposure(), 1e-9);
        Decision after = decide(observations.get(2).get(111));
        assertFalse(after.getDegraded(), after.getDegradedReason());
    }
}
