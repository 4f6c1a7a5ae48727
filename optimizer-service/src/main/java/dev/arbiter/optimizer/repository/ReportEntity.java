package dev.arbiter.optimizer.repository;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One stored backtest or stress report (table report, see V3__reports.sql). */
@Entity
@Table(name = "report")
public class ReportEntity extends PanacheEntityBase {

    @Id
    @Column(name = "report_id")
    public String reportId;

    /** BACKTEST or STRESS. */
    @Column(name = "kind", nullable = false)
    public String kind;

    @Column(name = "name", nullable = false)
    public String name;

    @Column(name = "study_name", nullable = false)
    public String studyName = "";

    @Column(name = "backtest_report_id", nullable = false)
    public String backtestReportId = "";

    @Column(name = "created_ts_micros", nullable = false)
    public long createdTsMicros;

    /** The BacktestReport or StressReport, protobuf-encoded. */
    @Column(name = "report", nullable = false)
    public byte[] report;

    /** The full policy's per-decision pnl, float64 little-endian; backtests only. */
    @Column(name = "decision_pnl")
    public byte[] decisionPnl;
}
