package dev.arbiter.decision.experiment;

import dev.arbiter.decision.config.AbConfig;
import dev.arbiter.decision.policy.LivePolicy;
import dev.arbiter.engine.experiment.AbTest;
import dev.arbiter.service.RequestRefused;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The A/B readout of a variant against a control, from the decision log: engine's {@link AbTest} fed with blocks of one
 * series and (observation) day, in day order, over the decisions made since the experiment started whose outcomes are
 * JOINED. The series per arm, for the sample-ratio check, are those that decided in it since the start.
 */
@ApplicationScoped
public class AbReadouts {

    private static final long DAY_MICROS = 86_400_000_000L;

    /** The result: the readout, the arms' names and shares, and the start it counts from. */
    public record Result(String control, double controlShare, String treatment, double treatmentShare, AbTest.Config config,
                         AbTest.Readout readout, long sinceMicros) {}

    private final DataSource db;
    private final LivePolicy policy;
    private final AbConfig config;

    public AbReadouts(DataSource db, LivePolicy policy, AbConfig config) {
        this.db = db;
        this.policy = policy;
        this.config = config;
    }

    public Result readout(String variantName, String controlName) {
        String control = controlName.isEmpty() ? LivePolicy.LIVE : controlName;
        if (variantName.isEmpty()) {
            throw RequestRefused.invalid("variant_name", "variant_name is empty; send the variant to read (ListVariants lists them)");
        }
        if (LivePolicy.LIVE.equals(variantName)) {
            throw RequestRefused.invalid("variant_name", "variant_name is \"live\", the control by default; send the variant to"
                    + " compare with it, or name the live policy in control_name and a variant here");
        }
        if (variantName.equals(control)) {
            throw RequestRefused.invalid("control_name", "control_name is \"" + control + "\", the same as variant_name; send"
                    + " another variant, or none for the live policy");
        }
        LivePolicy.State state = policy.state();
        double treatmentShare = share(state, variantName, "variant_name");
        double controlShare = share(state, control, "control_name");
        if (!(treatmentShare > 0) || !(controlShare > 0)) {
            throw RequestRefused.precondition(treatmentShare > 0 ? "control_name" : "variant_name", "\""
                    + (treatmentShare > 0 ? control : variantName) + "\" has a share of 0: no series is assigned to it, so there is nothing to compare");
        }
        AbTest.Config c = new AbTest.Config(config.alpha(), config.tightestAtBlocks(), config.minBlocksPerArm(), config.srmAlpha(),
                config.fprMargin(), config.drawdownSigmas(), controlShare, treatmentShare);
        AbTest test = new AbTest(c);
        long since = state.experimentStartedMicros();
        try (Connection conn = db.getConnection()) {
            feedBlocks(conn, test, control, variantName, since);
            int[] series = seriesPerArm(conn, control, variantName, since);
            test.seriesSeen(series[0], series[1]);
        } catch (SQLException e) {
            throw new IllegalStateException("reading the decision log for the A/B readout failed", e);
        }
        return new Result(control, controlShare, variantName, treatmentShare, c, test.readout(), since);
    }

    private static double share(LivePolicy.State state, String name, String field) {
        if (LivePolicy.LIVE.equals(name)) {
            return state.liveFraction();
        }
        Optional<LivePolicy.VariantState> v = state.variant(name);
        if (v.isEmpty()) {
            throw RequestRefused.notFound(field, field + " \"" + name + "\" is not a configured variant; ListVariants lists them"
                    + " (\"live\" is the live policy)");
        }
        return v.get().splitFraction();
    }

    private static void feedBlocks(Connection conn, AbTest test, String control, String treatment, long since) throws SQLException {
        String sql = "SELECT variant = ?, series_id, ts_micros / ?,"
                + " coalesce(sum(pnl), 0),"
                + " count(*) FILTER (WHERE acted),"
                + " count(*) FILTER (WHERE acted AND direction * realised_return < 0),"
                + " count(*) FILTER (WHERE has_prediction),"
                + " count(*) FILTER (WHERE has_prediction AND (ensemble_probability >= 0.5) = realised_positive)"
                + " FROM decision.decision"
                + " WHERE variant IN (?, ?) AND decided_ts_micros >= ? AND outcome_status = 1"
                + " GROUP BY 1, 2, 3 ORDER BY 3, 2, 1";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, treatment);
            ps.setLong(2, DAY_MICROS);
            ps.setString(3, control);
            ps.setString(4, treatment);
            ps.setLong(5, since);
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    test.add(new AbTest.Block(rs.getString(2), rs.getBoolean(1) ? 1 : 0, rs.getLong(3), rs.getDouble(4),
                            rs.getInt(5), rs.getInt(6), rs.getInt(7), rs.getInt(8)));
                }
            }
        }
    }

    private static int[] seriesPerArm(Connection conn, String control, String treatment, long since) throws SQLException {
        String sql = "SELECT count(DISTINCT series_id) FILTER (WHERE variant = ?), count(DISTINCT series_id) FILTER (WHERE variant = ?)"
                + " FROM decision.decision WHERE variant IN (?, ?) AND decided_ts_micros >= ?";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, control);
            ps.setString(2, treatment);
            ps.setString(3, control);
            ps.setString(4, treatment);
            ps.setLong(5, since);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new int[] {rs.getInt(1), rs.getInt(2)};
            }
        }
    }
}
