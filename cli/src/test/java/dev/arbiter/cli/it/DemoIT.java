package dev.arbiter.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.cli.Cli;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Integration test: {@code arbiter demo} on a slice of the bundled series, exactly the path {@code ./arbiter demo}
 * runs: it starts the four packaged services as processes (on the test database), imports and trains the four model
 * kinds, defines the ensemble, replays the rest through DecideStream reporting every outcome, writes the report and
 * stops the services. The assertions read what decision-service logged in PostgreSQL.
 */
class DemoIT {

    static final String JDBC = "jdbc:postgresql://127.0.0.1:5432/arbiter_test";

    @Test
    void theDemoDecidesReportsOutcomesWritesItsReportAndStopsItsServices() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Path out = Path.of("target", "demo-it-" + suffix);
        // 700 rows: 420 imported and trained on, 280 replayed with a horizon of 2.
        Cli.Result r = Cli.run("demo", "--rows", "700", "--horizon", "2", "--out", out.toString(), "--name", "demo-it-" + suffix,
                "--home", "..", "--database", JDBC, "--progress", "lines",
                "--service-property", "arbiter.models.redis-prefix=arbiter-it-demo-" + suffix + ":models:",
                "--service-property", "arbiter.models.drift.evaluation-interval=0");
        assertEquals(0, r.exitCode(), r.toString());

        Matcher decided = Pattern.compile("decisions +([\\d,]+) on (\\S+) \\((\\d+) degraded, (\\d+) refused\\)").matcher(r.out());
        assertTrue(decided.find(), r.out());
        assertEquals("280", decided.group(1), r.out());
        String live = decided.group(2);
        assertTrue(live.startsWith("electricity-live-"), live);
        assertEquals("0", decided.group(4), "refused: " + r.out());
        for (String kind : List.of("gbt", "rf", "logreg", "svm")) {
            assertTrue(r.out().contains("demo-it-" + suffix + "-" + kind + " v1 (" + kind + "): validation Brier "), r.out());
        }
        long actions = count(r.out(), "actions +([\\d,]+) of 280 decisions");
        long joined = count(r.out(), "outcomes joined +([\\d,]+);");
        assertEquals(278, joined, "every decision but the last two (horizon 2) has its outcome joined\n" + r.out());
        double pnl = Double.parseDouble(find(r.out(), "pnl ([+-]?[\\d.]+) of capital"));
        Matcher fp = Pattern.compile("false-positive actions ([\\d,]+) of ([\\d,]+); the single best model \\((\\S+ v\\d+)\\) "
                + "acting alone on \\|p - 0.5\\| >= gate.min_edge: ([\\d,]+) of ([\\d,]+)").matcher(r.out());
        assertTrue(fp.find(), r.out());
        long falsePositives = Long.parseLong(fp.group(1).replace(",", ""));
        long settledActions = Long.parseLong(fp.group(2).replace(",", ""));
        assertTrue(falsePositives <= settledActions && settledActions <= actions && actions - settledActions <= 2, fp.group());
        assertTrue(Long.parseLong(fp.group(4).replace(",", "")) <= Long.parseLong(fp.group(5).replace(",", ""))
                && Long.parseLong(fp.group(5).replace(",", "")) <= 278, fp.group());
        assertTrue(r.out().contains("decision-service says  280 decisions logged, 278 outcomes joined"), r.out());

        // The feedback loop: each served version's drift, and the A/B readout over the replay run again as 8 series.
        for (String kind : List.of("gbt", "rf", "logreg", "svm")) {
            assertTrue(r.out().contains("drift: demo-it-" + suffix + "-" + kind + " v1: "), r.out());
        }
        Matcher ab = Pattern.compile("A/B \\(demo-stricter: B acts only where \\|p - 0.5\\| reaches [\\d.]+, A \\(live\\) [\\d.]+\\): "
                + "(CONTINUE|B WORSE|B BETTER|STOP GUARDRAIL); pnl per block B - A [+-][\\d.]+ \\[[^]]+\\].*blocks (\\d+) \\(A\\) and (\\d+) \\(B\\)")
                .matcher(r.out());
        assertTrue(ab.find(), r.out());
        // 4 series per arm x the days of the 280 replayed half-hours (5.8 days: 6 or 7 calendar days) with joined outcomes
        assertTrue(Integer.parseInt(ab.group(2)) >= 24 && Integer.parseInt(ab.group(3)) >= 24, ab.group());
        String loopReport = Files.readString(out.resolve("report.html"));
        assertTrue(loopReport.contains("<h2>Drift</h2>") && loopReport.contains("<h2>A/B readout</h2>"), "report sections");
        try (Connection c = DriverManager.getConnection(JDBC, "postgres", "");
                PreparedStatement q = c.prepareStatement("SELECT variant, count(DISTINCT series_id), count(*) FROM decision.decision"
                        + " WHERE series_id LIKE ? GROUP BY variant ORDER BY variant")) {
            q.setString(1, "demo-ab-" + live.substring("electricity-live-".length()) + "-%"); // this run's
            try (ResultSet rs = q.executeQuery()) {
                for (String variant : List.of("demo-stricter", "live")) {
                    assertTrue(rs.next(), variant);
                    assertEquals(variant, rs.getString(1));
                    assertEquals(4, rs.getLong(2), "series in " + variant);
                    assertEquals(4 * 280, rs.getLong(3), "decisions in " + variant);
                }
                assertFalse(rs.next());
            }
        }

        // What decision-service logged: every replayed observation once, its outcome joined with the realised return.
        try (Connection c = DriverManager.getConnection(JDBC, "postgres", "");
                PreparedStatement q = c.prepareStatement("SELECT count(*), count(*) FILTER (WHERE acted), "
                        + "count(*) FILTER (WHERE outcome_status = 1), coalesce(sum(pnl), 0), "
                        + "count(*) FILTER (WHERE outcome_status = 1 AND acted AND abs(pnl - size * direction * realised_return) > 1e-12) "
                        + ", count(*) FILTER (WHERE outcome_status = 1 AND acted AND direction * realised_return <= 0) "
                        + "FROM decision.decision WHERE series_id = ?")) {
            q.setString(1, live);
            try (ResultSet rs = q.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(280, rs.getLong(1), "decisions logged");
                assertEquals(actions, rs.getLong(2), "actions logged");
                assertEquals(278, rs.getLong(3), "outcomes joined");
                assertEquals(pnl, rs.getDouble(4), 1e-4, "pnl summed from the log");
                assertEquals(0, rs.getLong(5), "pnl = size x direction x realised return on every joined action");
                assertEquals(falsePositives, rs.getLong(6), "false positives: joined actions the realised return contradicted");
            }
        }
        // The realised returns are the series' own: value[t + 2] / value[t] - 1 on the replayed rows.
        try (Connection c = DriverManager.getConnection(JDBC, "postgres", "");
                PreparedStatement q = c.prepareStatement("SELECT realised_return FROM decision.decision WHERE series_id = ? "
                        + "AND outcome_status = 1 ORDER BY ts_micros LIMIT 1")) {
            q.setString(1, live);
            try (ResultSet rs = q.executeQuery()) {
                assertTrue(rs.next());
                List<String> rows;
                try (var in = DemoIT.class.getResourceAsStream("/demo/taylor_electricity_halfhourly.csv")) {
                    rows = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
                }
                double first = Double.parseDouble(rows.get(1 + 420).split(",")[1]);
                double later = Double.parseDouble(rows.get(1 + 422).split(",")[1]);
                assertEquals(later / first - 1, rs.getDouble(1), 1e-12);
            }
        }

        // One rule proposal round, offline (no LLM is configured here): each proposal validated, then backtested on the
        // history the demo imported.
        assertTrue(r.out().contains("rule proposals by the offline search:"), r.out());
        Matcher proposal = Pattern.compile("  (proposal-\\d+) offline_\\w+: (agreement|confidence|trend_strength) >= [\\d.]+(?: && "
                + "agreement >= [\\d.]+)? -> (BACKTESTED|VALIDATION_FAILED)(; backtest false positives \\S+ -> \\S+, actions .*)?")
                .matcher(r.out());
        int proposals = 0;
        while (proposal.find()) {
            proposals++;
            if (proposal.group(3).equals("BACKTESTED")) {
                assertTrue(proposal.group(4) != null, "a backtested proposal shows its backtest: " + proposal.group());
            }
        }
        assertEquals(2, proposals, r.out());

        String html = Files.readString(out.resolve("report.html"));
        assertEquals(5, html.split("<svg", -1).length - 1, "five plots");
        assertTrue(html.contains(live), "the report names the series");
        assertTrue(html.contains("<h2>Rule proposals</h2>"), "the proposal round is in the report");
        assertTrue(html.contains("PARSE passed, LEAKAGE passed, TYPE_CHECK passed, COST passed, COMPLEXITY passed"),
                "with each proposal's validation steps");
        assertTrue(html.contains("series electricity, rolling folds of 140 + 50 observations (at most 2), label sign of the "
                + "return 2 ahead"), "backtested on the demo's history, on folds scaled to it");

        // It stopped what it started: no service answers on the ports it announced.
        Matcher ready = Pattern.compile("services ready: \\[(.*)]").matcher(r.err());
        assertTrue(ready.find(), r.err());
        for (String address : ready.group(1).split(", ")) {
            int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
            assertFalse(answers(port), address + " still answers after the demo");
        }
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " in\n" + text);
        return m.group(1);
    }

    private static long count(String text, String regex) {
        return Long.parseLong(find(text, regex).replace(",", ""));
    }

    private static boolean answers(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
