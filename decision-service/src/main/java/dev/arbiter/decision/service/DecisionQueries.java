package dev.arbiter.decision.service;

import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.proto.v1.Decision;
import dev.arbiter.service.RequestRefused;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
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

    static UUID checkDecisionId(String decisionId, String field) {
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

    /** Checks a range: INVALID_ARGUMENT on {@code field} for negative bounds or an end not after the start. */
    public static void checkRange(long start, long end, String field) {
        if (start < 0) {
            throw invalid(field + ".start_ts_micros", field + ".start_ts_micros is " + start + "; send epoch microseconds UTC, or 0 for the earliest");
        }
        if (end < 0) {
            throw invalid(field + ".end_ts_micros", field + ".end_ts_micros is " + end + "; send epoch microseconds UTC, or 0 for the latest");
        }
        if (end > 0 && end <= start) {
            throw invalid(field, field + " is [" + start + ", " + end + "), which is empty; send an end_ts_micros after start_ts_micros (or 0 for the latest)");
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
        checkRange(filter.startTsMicros(), filter.endTsMicros(), "range");
        if (filter.variant().length() > 64) {
            throw invalid("variant_name", "variant_name is " + filter.variant().length() + " characters long; no variant name is longer than 64");
        }
        if (pageSize < 0) {
            throw invalid("page_size", "page_size is " + pageSize + "; send 1.." + MAX_PAGE_SIZE + ", or 0 for the default (" + DEFAULT_PAGE_SIZE + ")");
        }
        int size = pageSize == 0 ? DEFAULT_PAGE_SIZE : Math.min(pageSize, MAX_PAGE_SIZE);
        Cursor after = pageToken.isEmpty() ? null : decode(pageToken, filter);

        StringBuilder sql = new StringBuilder("SELECT decision, ts_micros, decision_id FROM decision.decision WHERE true");
        List<Object> args = new ArrayList<>();
        if (!filter.seriesId().isEmpty()) {
            sql.append(" AND series_id = ?");
            args.add(filter.seriesId());
        }
        if (filter.startTsMicros() > 0) {
            sql.append(" AND ts_micros >= ?");
            args.add(filter.startTsMicros());
        }
        if (filter.endTsMicros() > 0) {
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

    private static String encode(Cursor c, Filter f) {
        String s = "k1:" + f.fingerprint() + ":" + c.tsMicros() + ":" + c.decisionId();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static Cursor decode(String token, Filter f) {
        String[] p;
        try {
            p = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(":");
        } catch (IllegalArgumentException e) {
            p = new String[0];
        }
        if (p.length != 4 || !p[0].equals("k1")) {
            throw invalid("page_token", "page_token is not one this service issued; send the previous next_page_token, or none for the first page");
        }
        if (!p[1].equals(f.fingerprint())) {
            throw invalid("page_token", "page_token belongs to a query with other filters; send the same filters as for the previous page, or no token to start over");
        }
        try {
            return new Cursor(Long.parseLong(p[2]), UUID.fromString(p[3]));
        } catch (IllegalArgumentException e) {
            throw invalid("page_token", "page_token is not one this service issued; send the previous next_page_token, or none for the first page");
        }
    }
}
