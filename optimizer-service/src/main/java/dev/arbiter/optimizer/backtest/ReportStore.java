package dev.arbiter.optimizer.backtest;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.arbiter.optimizer.repository.ReportEntity;
import dev.arbiter.proto.v1.BacktestReport;
import dev.arbiter.proto.v1.StressReport;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

/** Backtest and stress reports in PostgreSQL (schema optimizer, table report). */
@ApplicationScoped
public class ReportStore {

    /** A stored report, for listings. */
    public record Stored(ReportEntity entity, BacktestReport backtest) {
    }

    public void saveBacktest(BacktestReport report, double[] decisionPnl) {
        ByteBuffer pnl = ByteBuffer.allocate(decisionPnl.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        pnl.asDoubleBuffer().put(decisionPnl);
        ReportEntity e = new ReportEntity();
        e.reportId = report.getReportId();
        e.kind = "BACKTEST";
        e.name = report.getSpec().getName();
        e.studyName = report.getStudyName();
        e.createdTsMicros = report.getCreatedTsMicros();
        e.report = report.toByteArray();
        e.decisionPnl = pnl.array();
        QuarkusTransaction.requiringNew().run(e::persist);
    }

    public void saveStress(StressReport report, String name) {
        ReportEntity e = new ReportEntity();
        e.reportId = report.getReportId();
        e.kind = "STRESS";
        e.name = name;
        e.backtestReportId = report.getBacktestReportId();
        e.createdTsMicros = report.getCreatedTsMicros();
        e.report = report.toByteArray();
        QuarkusTransaction.requiringNew().run(e::persist);
    }

    public Optional<BacktestReport> backtest(String reportId) {
        return find(reportId, "BACKTEST").map(e -> parse(() -> BacktestReport.parseFrom(e.report)));
    }

    public Optional<StressReport> stress(String reportId) {
        return find(reportId, "STRESS").map(e -> parse(() -> StressReport.parseFrom(e.report)));
    }

    /** The per-decision pnl a backtest stored, or empty for an unknown backtest. */
    public Optional<double[]> decisionPnl(String backtestReportId) {
        return find(backtestReportId, "BACKTEST").map(e -> {
            double[] pnl = new double[e.decisionPnl.length / 8];
            ByteBuffer.wrap(e.decisionPnl).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(pnl);
            return pnl;
        });
    }

    /**
     * Reports newest first, after the (created, id) position of a page token, filtered by kind (null = both) and
     * study (empty = any).
     */
    public List<ReportEntity> list(String kind, String studyName, long beforeCreated, String beforeId, int limit) {
        return QuarkusTransaction.requiringNew().call(() -> ReportEntity.<ReportEntity>find(
                        "(?1 = '' or kind = ?1) and (?2 = '' or studyName = ?2)"
                                + " and (createdTsMicros < ?3 or (createdTsMicros = ?3 and reportId < ?4))"
                                + " order by createdTsMicros desc, reportId desc",
                        kind == null ? "" : kind, studyName, beforeCreated, beforeId)
                .page(0, limit).list());
    }

    private Optional<ReportEntity> find(String reportId, String kind) {
        return QuarkusTransaction.requiringNew().call(() -> ReportEntity.<ReportEntity>findByIdOptional(reportId))
                .filter(e -> e.kind.equals(kind));
    }

    interface Parse<T> {
        T parse() throws InvalidProtocolBufferException;
    }

    static <T> T parse(Parse<T> p) {
        try {
            return p.parse();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a stored report does not parse: " + e.getMessage(), e);
        }
    }
}
