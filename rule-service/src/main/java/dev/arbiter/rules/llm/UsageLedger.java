package dev.arbiter.rules.llm;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import javax.sql.DataSource;

/** The LLM's use per UTC day in PostgreSQL (rule.llm_usage), shared by every rule-service process. */
@ApplicationScoped
public class UsageLedger {

    /** One day's use. */
    public record Day(long calls, long inputTokens, long outputTokens, double cost) {
        public long tokens() {
            return inputTokens + outputTokens;
        }
    }

    private final DataSource db;

    public UsageLedger(DataSource db) {
        this.db = db;
    }

    public Day today() throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT calls, input_tokens, output_tokens, cost FROM rule.llm_usage WHERE day = ?")) {
            ps.setObject(1, LocalDate.now(ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Day(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getDouble(4)) : new Day(0, 0, 0, 0);
            }
        }
    }

    /** Adds one call's use to today's. */
    public void add(long inputTokens, long outputTokens, double cost) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO rule.llm_usage (day, calls, input_tokens, output_tokens, cost) VALUES (?, 1, ?, ?, ?)"
                        + " ON CONFLICT (day) DO UPDATE SET calls = llm_usage.calls + 1,"
                        + " input_tokens = llm_usage.input_tokens + EXCLUDED.input_tokens,"
                        + " output_tokens = llm_usage.output_tokens + EXCLUDED.output_tokens,"
                        + " cost = llm_usage.cost + EXCLUDED.cost")) {
            ps.setObject(1, LocalDate.now(ZoneOffset.UTC));
            ps.setLong(2, inputTokens);
            ps.setLong(3, outputTokens);
            ps.setDouble(4, cost);
            ps.executeUpdate();
        }
    }
}
