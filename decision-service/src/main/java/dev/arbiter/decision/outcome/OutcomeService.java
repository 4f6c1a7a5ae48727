package dev.arbiter.decision.outcome;

import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.decision.config.OutcomeConfig;
import dev.arbiter.decision.log.DecisionLog;
import dev.arbiter.decision.log.DecisionQueries;
import dev.arbiter.decision.policy.LivePolicy;
import dev.arbiter.decision.risk.RiskStateStore;
import dev.arbiter.decision.risk.RiskStateUnknown;
import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.proto.v1.ModelServiceGrpc.ModelServiceBlockingStub;
import dev.arbiter.proto.v1.OutcomeStatus;
import dev.arbiter.proto.v1.PredictionOutcomeStatus;
import dev.arbiter.proto.v1.ReportPredictionOutcomeRequest;
import dev.arbiter.proto.v1.ReportPredictionOutcomeResponse;
import dev.arbiter.service.ObservationTimes;
import dev.arbiter.service.RequestRefused;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Joins realised outcomes to logged decisions (ReportOutcome). The first report of a decision within the join window
 * is JOINED: its pnl is stored (performance is computed from the log), an acted decision's position is settled in the
 * risk state, and each member's correctness goes to model-service so the ensemble weights move. A second report is
 * DUPLICATE and one after the window LATE (stored, not counted); neither changes anything else. When model-service
 * cannot take the outcome the join still happens and the forwarding is retried in the background until
 * {@code weights-retry-for} has passed, then dropped with a log line.
 */
@ApplicationScoped
public class OutcomeService {

    private static final Logger LOG = Logger.getLogger(OutcomeService.class);

    static final int WEIGHTS_NONE = 0;
    static final int WEIGHTS_PENDING = 1;
    static final int WEIGHTS_DONE = 2;
    static final int WEIGHTS_DROPPED = 3;

    /** What ReportOutcome answers. */
    public record Result(OutcomeStatus status, double pnl, boolean weightsUpdated, String weightsSnapshotId) {}

    private record Forwarded(boolean updated, String snapshotId, int weightsStatus, boolean retryable) {}

    private final DataSource db;
    private final OutcomeConfig config;
    private final DecisionLog log;
    private final LivePolicy policy;
    private final RiskStateStore risk;
    private final ModelServiceBlockingStub models;
    private ScheduledExecutorService retrier;

    public OutcomeService(DataSource db, OutcomeConfig config, DecisionLog log, LivePolicy policy, RiskStateStore risk,
                          @GrpcClient("models") ModelServiceBlockingStub models) {
        this.db = db;
        this.config = config;
        this.log = log;
        this.policy = policy;
        this.risk = risk;
        this.models = models;
    }

    void onStart(@Observes StartupEvent event) {
        long every = config.weightsRetryInterval().toMillis();
        if (every > 0) {
            retrier = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "outcome-weights-retry");
                t.setDaemon(true);
                return t;
            });
            retrier.scheduleWithFixedDelay(this::retryQuietly, every, every, TimeUnit.MILLISECONDS);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (retrier != null) {
            retrier.shutdownNow();
        }
    }

    /**
     * Reports the realised outcome of a decision.
     *
     * @param realisedPositive the realised label, or null for realisedReturn > 0
     * @param outcomeTsMicros  when it was realised; 0 = now
     */
    public Result report(String decisionId, double realisedReturn, Boolean realisedPositive, long outcomeTsMicros) {
        UUID id = DecisionQueries.checkDecisionId(decisionId, "decision_id");
        if (!Double.isFinite(realisedReturn)) {
            throw invalid("realised_return", "realised_return is " + realisedReturn + "; send the finite return over the decision's horizon as a fraction (0.01 = +1 %)");
        }
        if (outcomeTsMicros < 0) {
            throw invalid("outcome_ts_micros", "outcome_ts_micros is " + outcomeTsMicros + "; send epoch microseconds UTC, or 0 for now");
        }
        long reported = ObservationTimes.nowMicros();
        long outcomeTs = outcomeTsMicros == 0 ? reported : outcomeTsMicros;
        boolean positive = realisedPositive != null ? realisedPositive : realisedReturn > 0;

        Joined joined;
        try {
            joined = join(id, realisedReturn, positive, outcomeTs, reported);
        } catch (SQLException e) {
            throw new RequestRefused(Status.Code.UNAVAILABLE, "decision_id",
                    "the decision log's database is unreachable (" + e.getMessage() + "); report the outcome again in a few seconds");
        } catch (RiskStateUnknown e) {
            throw new RequestRefused(Status.Code.UNAVAILABLE, "decision_id", "the outcome was not recorded: " + e.getMessage()
                    + "; report it again in a few seconds");
        }
        if (joined.status() != OutcomeStatus.OUTCOME_STATUS_JOINED) {
            if (joined.status() == OutcomeStatus.OUTCOME_STATUS_UNKNOWN_DECISION && log.find(decisionId).isPresent()) {
                throw new RequestRefused(Status.Code.UNAVAILABLE, "decision_id", "decision " + decisionId
                        + " is acknowledged but still in the local spool (PostgreSQL was unreachable); report its outcome again in a few seconds");
            }
            return new Result(joined.status(), 0, false, "");
        }
        if (!joined.hasPrediction()) {
            return new Result(joined.status(), joined.pnl(), false, "");
        }
        Forwarded f = forward(decisionId, positive, outcomeTs);
        setWeightsStatus(id, f.weightsStatus());
        return new Result(joined.status(), joined.pnl(), f.updated(), f.snapshotId());
    }

    private record Joined(OutcomeStatus status, double pnl, boolean hasPrediction) {}

    /**
     * Claims the decision's outcome in one transaction under its row lock. For an acted decision the risk state is
     * settled inside that transaction, before the commit: if Redis fails nothing is claimed and the report can be
     * sent again; a second report waits for the lock and finds the outcome there (DUPLICATE), so a position is
     * settled at most once.
     */
    private Joined join(UUID id, double realisedReturn, boolean positive, long outcomeTs, long reported) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                String seriesId;
                int direction;
                double size;
                long decidedTs;
                boolean hasPrediction;
                int parameterSetVersion;
                try (PreparedStatement ps = c.prepareStatement("SELECT series_id, direction, size, decided_ts_micros, has_prediction,"
                        + " parameter_set_version, outcome_status FROM decision.decision WHERE decision_id = ? FOR UPDATE")) {
                    ps.setObject(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            c.rollback();
                            return new Joined(OutcomeStatus.OUTCOME_STATUS_UNKNOWN_DECISION, 0, false);
                        }
                        rs.getShort(7);
                        if (!rs.wasNull()) {
                            c.rollback();
                            return new Joined(OutcomeStatus.OUTCOME_STATUS_DUPLICATE, 0, false);
                        }
                        seriesId = rs.getString(1);
                        direction = rs.getShort(2);
                        size = rs.getDouble(3);
                        decidedTs = rs.getLong(4);
                        hasPrediction = rs.getBoolean(5);
                        parameterSetVersion = rs.getInt(6);
                    }
                }
                boolean late = outcomeTs - decidedTs > config.joinWindow().toNanos() / 1_000;
                OutcomeStatus status = late ? OutcomeStatus.OUTCOME_STATUS_LATE : OutcomeStatus.OUTCOME_STATUS_JOINED;
                double pnl = size * direction * realisedReturn;
                try (PreparedStatement ps = c.prepareStatement("UPDATE decision.decision SET outcome_status = ?, realised_return = ?,"
                        + " realised_positive = ?, pnl = ?, outcome_ts_micros = ?, reported_ts_micros = ?, weights_status = ? WHERE decision_id = ?")) {
                    ps.setShort(1, (short) status.getNumber());
                    ps.setDouble(2, realisedReturn);
                    ps.setBoolean(3, positive);
                    ps.setDouble(4, pnl);
                    ps.setLong(5, outcomeTs);
                    ps.setLong(6, reported);
                    ps.setShort(7, (short) (!late && hasPrediction ? WEIGHTS_PENDING : WEIGHTS_NONE));
                    ps.setObject(8, id);
                    ps.executeUpdate();
                }
                if (!late && direction != 0) {
                    PolicyParameters p = parameterSetVersion > 0 ? policy.parameters(parameterSetVersion) : policy.parameters(policy.state().parameterSetVersion());
                    risk.settle(seriesId, direction, size, pnl, p);
                }
                c.commit();
                return new Joined(status, late ? 0 : pnl, hasPrediction && !late);
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is gone
                }
                throw e;
            } finally {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException ignored) {
                    // as above
                }
            }
        }
    }

    /** Sends the realised label to model-service by decision id; its ensemble weights move with each member's correctness. */
    private Forwarded forward(String decisionId, boolean positive, long outcomeTs) {
        try {
            ReportPredictionOutcomeResponse r = models.withDeadlineAfter(config.modelDeadline().toMillis(), TimeUnit.MILLISECONDS)
                    .reportPredictionOutcome(ReportPredictionOutcomeRequest.newBuilder()
                            .setDecisionId(decisionId)
                            .setRealisedPositive(positive)
                            .setOutcomeTsMicros(outcomeTs)
                            .build());
            if (r.getStatus() == PredictionOutcomeStatus.PREDICTION_OUTCOME_STATUS_APPLIED) {
                return new Forwarded(true, r.getWeights().getWeightsSnapshotId(), WEIGHTS_DONE, false);
            }
            if (r.getStatus() == PredictionOutcomeStatus.PREDICTION_OUTCOME_STATUS_DUPLICATE) {
                return new Forwarded(false, "", WEIGHTS_DONE, false);
            }
            LOG.warnf("model-service does not know the prediction of decision %s (%s): its outcome is dropped for the weights", decisionId, r.getStatus());
            return new Forwarded(false, "", WEIGHTS_DROPPED, false);
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            boolean retryable = code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED
                    || code == Status.Code.RESOURCE_EXHAUSTED || code == Status.Code.ABORTED || code == Status.Code.INTERNAL
                    || code == Status.Code.UNKNOWN || code == Status.Code.CANCELLED;
            if (retryable) {
                LOG.infof("model-service did not take the outcome of decision %s (%s); retried every %s", decisionId, code, config.weightsRetryInterval());
                return new Forwarded(false, "", WEIGHTS_PENDING, true);
            }
            LOG.warnf("model-service refused the outcome of decision %s (%s); it is dropped for the weights", decisionId, e.getStatus());
            return new Forwarded(false, "", WEIGHTS_DROPPED, false);
        }
    }

    private void setWeightsStatus(UUID id, int status) {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE decision.decision SET weights_status = ?, weights_attempts = weights_attempts + 1 WHERE decision_id = ?")) {
            ps.setShort(1, (short) status);
            ps.setObject(2, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.warnf("could not record the weights status of decision %s (%s); the background retry may send it again (model-service answers DUPLICATE)", id, e.getMessage());
        }
    }

    private void retryQuietly() {
        try {
            retryPending();
        } catch (RuntimeException | SQLException e) {
            LOG.debugf("retrying weight updates failed: %s", e.getMessage());
        }
    }

    /**
     * Sends pending outcomes to model-service again; drops those older than {@code weights-retry-for}. Skips the ones
     * whose ReportOutcome call is still forwarding them. Answers how many were sent.
     */
    public int retryPending() throws SQLException {
        record Pending(UUID id, boolean positive, long outcomeTs, long reportedTs) {}
        List<Pending> pending = new ArrayList<>();
        // A pending outcome never attempted and reported moments ago is being forwarded by its ReportOutcome call right
        // now: sending it from here as well would make that call see DUPLICATE and answer weights_updated = false. It is
        // picked up once that call has failed (attempts > 0) or, if the process died before trying, after the grace.
        long inFlightSince = ObservationTimes.nowMicros() - 2 * config.modelDeadline().toNanos() / 1_000;
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT decision_id, realised_positive, outcome_ts_micros, reported_ts_micros"
                        + " FROM decision.decision WHERE weights_status = 1 AND (weights_attempts > 0 OR reported_ts_micros < ?)"
                        + " ORDER BY reported_ts_micros LIMIT 100")) {
            ps.setLong(1, inFlightSince);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pending.add(new Pending(rs.getObject(1, UUID.class), rs.getBoolean(2), rs.getLong(3), rs.getLong(4)));
                }
            }
        }
        long cutoff = ObservationTimes.nowMicros() - config.weightsRetryFor().toNanos() / 1_000;
        int sent = 0;
        for (Pending p : pending) {
            if (p.reportedTs() < cutoff) {
                LOG.warnf("outcome of decision %s could not reach model-service for %s; dropped for the weights", p.id(), config.weightsRetryFor());
                setWeightsStatus(p.id(), WEIGHTS_DROPPED);
                continue;
            }
            Forwarded f = forward(p.id().toString(), p.positive(), p.outcomeTs());
            setWeightsStatus(p.id(), f.weightsStatus());
            if (f.retryable()) {
                break; // still down: the next round tries again
            }
            sent++;
        }
        return sent;
    }
}
