package dev.arbiter.rules.proposal;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.arbiter.engine.rules.ProposalChecks;
import dev.arbiter.proto.v1.ProposalEvent;
import dev.arbiter.proto.v1.ProposalSource;
import dev.arbiter.proto.v1.ProposalState;
import dev.arbiter.proto.v1.RuleProposal;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * Proposals in PostgreSQL (schema rule: proposal, proposal_event), shared by every rule-service process. A proposal is
 * stored whole as its RuleProposal message beside the columns lists filter on. New proposals are inserted one at a
 * time under a transaction-scoped advisory lock, so that the near-duplicate check of each sees every proposal committed
 * before it: two replicas given the same rule at once store one valid proposal, not two. A state change locks its row
 * ({@code FOR UPDATE}) and compares the state it expects.
 */
@ApplicationScoped
public class ProposalStore {

    /** The advisory lock key that orders inserts (the first 8 bytes of "arbiter.rule.proposal" would do as well). */
    private static final long INSERT_LOCK = 0x6172_6269_7465_7252L;

    /** A state change was refused because the proposal is not in a state it may leave that way. */
    public static final class WrongState extends Exception {
        private final RuleProposal current;

        WrongState(RuleProposal current) {
            super(null, null, false, false);
            this.current = current;
        }

        public RuleProposal current() {
            return current;
        }
    }

    /** One stored proposal and its sequence number (the page key). */
    public record Row(long seq, RuleProposal proposal) {}

    private final DataSource db;

    public ProposalStore(DataSource db) {
        this.db = db;
    }

    /**
     * Inserts the proposal {@code build} makes from the near-duplicate candidates (the newest {@code lookback}
     * earlier proposals not VALIDATION_FAILED), all under the insert lock; the proposal's id is assigned here.
     */
    public RuleProposal insert(int lookback, Function<List<ProposalChecks.Known>, RuleProposal> build, String author,
                               String reason) throws SQLException {
        return transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                ps.setLong(1, INSERT_LOCK);
                ps.execute();
            }
            List<ProposalChecks.Known> earlier = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT proposal_id, expression FROM rule.proposal"
                    + " WHERE state <> 'VALIDATION_FAILED' AND expression <> '' ORDER BY seq DESC LIMIT ?")) {
                ps.setInt(1, lookback);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        earlier.add(new ProposalChecks.Known("earlier proposal " + rs.getString(1), rs.getString(2)));
                    }
                }
            }
            RuleProposal made = build.apply(earlier);
            long seq;
            try (PreparedStatement ps = c.prepareStatement("SELECT nextval('rule.proposal_seq_seq')");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                seq = rs.getLong(1);
            }
            RuleProposal stored = made.toBuilder().setProposalId("proposal-" + seq).build();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO rule.proposal (seq, proposal_id, source, state,"
                    + " expression, message, created_ts_micros, updated_ts_micros) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setLong(1, seq);
                ps.setString(2, stored.getProposalId());
                ps.setString(3, name(stored.getSource()));
                ps.setString(4, name(stored.getState()));
                ps.setString(5, stored.getRule().getExpression());
                ps.setBytes(6, stored.toByteArray());
                ps.setLong(7, stored.getCreatedTsMicros());
                ps.setLong(8, stored.getUpdatedTsMicros());
                ps.executeUpdate();
            }
            event(c, seq, stored, author, reason);
            return stored;
        });
    }

    public Optional<RuleProposal> find(String proposalId) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT message FROM rule.proposal WHERE proposal_id = ?")) {
            ps.setString(1, proposalId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(parse(rs.getBytes(1))) : Optional.empty();
            }
        }
    }

    /** A page of proposals, newest first, with sequence numbers below {@code beforeSeq}; UNSPECIFIED filters = any. */
    public List<Row> list(ProposalState state, ProposalSource source, long beforeSeq, int limit) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT seq, message FROM rule.proposal WHERE seq < ? AND (? = '' OR state = ?) AND (? = '' OR source = ?)"
                        + " ORDER BY seq DESC LIMIT ?")) {
            String st = state == ProposalState.PROPOSAL_STATE_UNSPECIFIED ? "" : name(state);
            String so = source == ProposalSource.PROPOSAL_SOURCE_UNSPECIFIED ? "" : name(source);
            ps.setLong(1, beforeSeq);
            ps.setString(2, st);
            ps.setString(3, st);
            ps.setString(4, so);
            ps.setString(5, so);
            ps.setInt(6, limit);
            List<Row> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Row(rs.getLong(1), parse(rs.getBytes(2))));
                }
            }
            return out;
        }
    }

    /**
     * Applies {@code change} to a proposal in one of the states {@code from}, recording the new state's event.
     *
     * @return the changed proposal; empty when there is no such proposal
     * @throws WrongState when the proposal is in another state (nothing changed)
     */
    public Optional<RuleProposal> transition(String proposalId, Set<ProposalState> from, UnaryOperator<RuleProposal> change,
                                             String author, String reason) throws SQLException, WrongState {
        return transition(proposalId, from, change, author, reason, Double.NaN, null);
    }

    /**
     * Applies {@code change} to a proposal in one of the states {@code from} without recording an event: progress
     * within a state (a shadow run's comparison, a guard's last check), not a state change.
     */
    public Optional<RuleProposal> update(String proposalId, Set<ProposalState> from, UnaryOperator<RuleProposal> change)
            throws SQLException, WrongState {
        return transition(proposalId, from, change, null, null, Double.NaN, null);
    }

    /**
     * The same, recording in the same transaction a backtest trial of the proposal on {@code window} with its Sharpe
     * ratio (none when {@code window} is null).
     */
    public Optional<RuleProposal> transition(String proposalId, Set<ProposalState> from, UnaryOperator<RuleProposal> change,
                                             String author, String reason, double sharpe, String window)
            throws SQLException, WrongState {
        try {
            return transaction(c -> {
                long seq;
                RuleProposal current;
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT seq, message FROM rule.proposal WHERE proposal_id = ? FOR UPDATE")) {
                    ps.setString(1, proposalId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            return Optional.<RuleProposal>empty();
                        }
                        seq = rs.getLong(1);
                        current = parse(rs.getBytes(2));
                    }
                }
                if (!from.contains(current.getState())) {
                    throw new WrongStateUnchecked(new WrongState(current));
                }
                RuleProposal changed = change.apply(current);
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE rule.proposal SET state = ?, message = ?, updated_ts_micros = ? WHERE seq = ?")) {
                    ps.setString(1, name(changed.getState()));
                    ps.setBytes(2, changed.toByteArray());
                    ps.setLong(3, changed.getUpdatedTsMicros());
                    ps.setLong(4, seq);
                    ps.executeUpdate();
                }
                if (author != null) {
                    event(c, seq, changed, author, reason);
                }
                if (window != null) {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO rule.backtest_trial (proposal_seq,"
                            + " window_text, sharpe, ts_micros) VALUES (?, ?, ?, ?)")) {
                        ps.setLong(1, seq);
                        ps.setString(2, window);
                        ps.setDouble(3, sharpe);
                        ps.setLong(4, changed.getUpdatedTsMicros());
                        ps.executeUpdate();
                    }
                }
                return Optional.of(changed);
            });
        } catch (WrongStateUnchecked e) {
            throw e.wrong;
        }
    }

    /** How many proposals came from {@code source}. */
    public long count(ProposalSource source) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM rule.proposal WHERE source = ?")) {
            ps.setString(1, name(source));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The Sharpe ratios of every proposal backtested on {@code window} so far. */
    public List<Double> sharpesTried(String window) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT sharpe FROM rule.backtest_trial WHERE window_text = ?")) {
            ps.setString(1, window);
            List<Double> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getDouble(1));
                }
            }
            return out;
        }
    }

    /** The states a proposal entered, oldest first. */
    public List<ProposalEvent> history(String proposalId) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT e.state, e.author, e.reason, e.ts_micros FROM rule.proposal_event e"
                        + " JOIN rule.proposal p ON p.seq = e.proposal_seq WHERE p.proposal_id = ? ORDER BY e.event_id")) {
            ps.setString(1, proposalId);
            List<ProposalEvent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(ProposalEvent.newBuilder().setState(ProposalState.valueOf("PROPOSAL_STATE_" + rs.getString(1)))
                            .setAuthor(rs.getString(2)).setReason(rs.getString(3)).setTsMicros(rs.getLong(4)).build());
                }
            }
            return out;
        }
    }

    private static void event(Connection c, long seq, RuleProposal p, String author, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO rule.proposal_event (proposal_seq, state, author, reason,"
                + " ts_micros) VALUES (?, ?, ?, ?, ?)")) {
            ps.setLong(1, seq);
            ps.setString(2, name(p.getState()));
            ps.setString(3, author);
            ps.setString(4, reason);
            ps.setLong(5, p.getUpdatedTsMicros());
            ps.executeUpdate();
        }
    }

    static String name(ProposalState state) {
        return state.name().substring("PROPOSAL_STATE_".length());
    }

    static String name(ProposalSource source) {
        return source.name().substring("PROPOSAL_SOURCE_".length());
    }

    private static RuleProposal parse(byte[] bytes) throws SQLException {
        try {
            return RuleProposal.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new SQLException("a stored proposal does not parse: " + e.getMessage(), "XX001", e);
        }
    }

    /** What runs inside one transaction. */
    private interface Tx<T> {
        T run(Connection c) throws SQLException;
    }

    /** Carries a {@link WrongState} out of a transaction, which it rolls back. */
    private static final class WrongStateUnchecked extends RuntimeException {
        final WrongState wrong;

        WrongStateUnchecked(WrongState wrong) {
            super(null, null, false, false);
            this.wrong = wrong;
        }
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    private <T> T transaction(Tx<T> work) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollback(c);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }
}
