package dev.arbiter.decision.log;

import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.proto.v1.Decision;
import dev.arbiter.service.PageTokens;
import dev.arbiter.service.RequestRefused;
import dev.arbiter.service.TimeRanges;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Reads of the decision log: one decision, or a filtered page, newest first (by ts_micros, then decision_id).
 * Pages are keyset pages: the token carries the last (ts_micros, decision_id) answered and a fingerprint of the
 * filter, so a token used with another filter is refused and new decisions never shift a page.
 */
@ApplicationScoped
public class DecisionQueries {

    public static final int DEFAULT_PAGE_SIZE = 50;
    public static final int MAX_PAGE_SIZE = 500;
    static final int MAX_SERIES_ID = 256;

    /** The filters of ListDecisions; end 0 = no end. */
    public record Filter(String seriesId, long startTsMicros, long endTsMicros, String variant, boolean actedOnly) {

        String fingerprint() {
            return Integer.toHexString(Objects.hash(seriesId, startTsMicros, endTsMicros, variant, actedOnly));
        }
    }

    /** A page of decisions and the token of the next, empty on the last page. */
    public record Page(List<Decision> decisions, String nextPageToken) {}

    private record Cursor(long tsMicros, UUID decisionId) {}

    private final DataSource db;
    private final DecisionLog log;

    public DecisionQueries(DataSource db, DecisionLog log) {
        this.db = db;
        this.log = log;
    }

    /** The decision with this id; INVALID_ARGUMENT for a missing or malformed id, NOT_FOUND for an unknown one. */
    public Decision get(String decisionId) {
        checkDecisionId(decisionId, "decision_id");
        return log.find(decisionId).orElseThrow(() -> RequestRefused.notFound("decision_id",
                "decision_id " + decisionId + " is not in the decision log; send the decision_id of a Decision this service answered"));
    }

    public static UUID checkDecisionId(String decisionId, String field) {
        if (decisionId.isEmpty()) {
            throw invalid(field, field + " is missing; send the decision_id of a Decision");
        }
        try {
            UUID id = UUID.fromString(decisionId);
            if (!id.toString().equalsIgnoreCase(decisionId)) {
                throw new IllegalArgumentException(decisionId);
            }
            return id;
        } catch (IllegalArgumentException e) {
            throw invalid(field, field + " \"" + decisionId + "\" is not a UUID; send the decision_id of a Decision as it was answered");
        }
    }

    public static void checkSeriesId(String seriesId, String field) {
        if (seriesId.length() > MAX_SERIES_ID) {
            throw invalid(field, field + " is " + seriesId.length() + " characters long; no series id is longer than " + MAX_SERIES_ID);
        }
    }

    /** One page of decisions matching the filter, newest first. */
    public Page list(Filter filter, int pageSize, String pageToken) {
        checkSeriesId(filter.seriesId(), "series_id");
        TimeRanges.check("range", filter.startTsMicros(), filter.endTsMicros());
        if (filter.variant().length() > 64) {
            throw invalid("variant_name", "variant_name is " + filter.variant().length() + " characters long; no variant name is longer than 64");
        }
        int size = PageTokens.size(pageSize, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        Cursor after = pageToken.isEmpty() ? null : decode(pageToken, filter);

        StringBuilder sql = new StringBuilder("SELECT decision, ts_micros, decision_id FROM decision.decision WHERE true");
        List<Object> args = new ArrayList<>();
        if (!filter.seriesId().isEmpty()) {
            sql.append(" AND series_id = ?");
            args.add(filter.seriesId());
        }
        if (filter.startTsMicros() != 0) {
            sql.append(" AND ts_micros >= ?");
            args.add(filter.startTsMicros());
        }
        if (filter.endTsMicros() != 0) {
            sql.append(" AND ts_micros < ?");
            args.add(filter.endTsMicros());
        }
        if (!filter.variant().isEmpty()) {
            sql.append(" AND variant = ?");
            args.add(filter.variant());
        }
        if (filter.actedOnly()) {
            sql.append(" AND acted");
        }
        if (after != null) {
            sql.append(" AND (ts_micros, decision_id) < (?, ?)");
            args.add(after.tsMicros());
            args.add(after.decisionId());
        }
        sql.append(" ORDER BY ts_micros DESC, decision_id DESC LIMIT ?");
        args.add(size + 1);

        List<Decision> out = new ArrayList<>(size);
        Cursor last = null;
        boolean more = false;
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (out.size() == size) {
                        more = true;
                        break;
                    }
                    out.add(Decision.parseFrom(rs.getBytes(1)));
                    last = new Cursor(rs.getLong(2), rs.getObject(3, UUID.class));
                }
            }
        } catch (SQLException e) {
            throw new RequestRefused(Status.Code.UNAVAILABLE, "decision", "the decision log's database is unreachable (" + e.getMessage() + "); retry in a few seconds");
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a logged decision does not parse", e);
        }
        return new Page(out, more ? encode(last, filter) : "");
    }

    private static final String KIND = "decisions";

    private static String encode(Cursor c, Filter f) {
        return PageTokens.next(KIND, f.fingerprint() + ":" + c.tsMicros() + ":" + c.decisionId());
    }

    private static Cursor decode(String token, Filter f) {
        String[] p = PageTokens.after(token, KIND).split(":");
        if (p.length != 3) {
            throw PageTokens.notIssued();
        }
        if (!p[0].equals(f.fingerprint())) {
            throw invalid("page_token", "page_token belongs to a query with other filters; send the same filters as for the previous page, or no token to start over");
        }
        try {
            return new Cursor(Long.parseLong(p[1]), UUID.fromString(p[2]));
        } catch (IllegalArgumentException e) {
            throw PageTokens.notIssued();
        }
    }
}
