package dev.arbiter.cli.decisions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.cli.Cli;
import dev.arbiter.cli.FakeServer;
import dev.arbiter.cli.client.Failures;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.DecideStreamResponse;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.GateStatistics;
import dev.arbiter.proto.v1.GetPerformanceRequest;
import dev.arbiter.proto.v1.GetPerformanceResponse;
import dev.arbiter.proto.v1.OutcomeStatus;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.Problem;
import dev.arbiter.proto.v1.ReportOutcomeRequest;
import dev.arbiter.proto.v1.ReportOutcomeResponse;
import dev.arbiter.proto.v1.TimeRange;
import dev.arbiter.proto.v1.VariantPerformance;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * decide, outcome and performance against a stand-in DecisionService (decision-service itself is tested in its own
 * module): what they send, what they print, and refusals in plain words with their exit codes.
 */
class DecisionCommandsTest {

    /** LONG above 100, FLAT otherwise; NaN refused with a Problem, as decision-service does. */
    static final class StandIn extends DecisionServiceGrpc.DecisionServiceImplBase {
        final Map<String, DecideRequest> received = new ConcurrentHashMap<>();

        @Override
        public StreamObserver<DecideRequest> decideStream(StreamObserver<DecideStreamResponse> answers) {
            return new StreamObserver<>() {
                int n;

                @Override
                public void onNext(DecideRequest r) {
                    double v = r.getObservation().getValue();
                    if (Double.isNaN(v)) {
                        answers.onNext(DecideStreamResponse.newBuilder().setProblem(Problem.newBuilder()
                                .setCode(Status.Code.INVALID_ARGUMENT.value()).setField("observation.value")
                                .setMessage("observation.value is NaN; send finite numbers")).build());
                        return;
                    }
                    String id = "d-" + (++n);
                    received.put(id, r);
                    boolean act = v > 100;
                    answers.onNext(DecideStreamResponse.newBuilder().setDecision(Decision.newBuilder().setDecisionId(id)
                            .setSeriesId(r.getObservation().getSeriesId()).setTsMicros(r.getObservation().getTsMicros())
                            .setDirection(act ? Direction.DIRECTION_LONG : Direction.DIRECTION_FLAT).setSize(act ? 0.25 : 0)
                            .setConfidence(act ? 0.7 : 0.4).setEnsembleProbability(0.6).setAgreement(0.75)
                            .addReasons(act ? "confidence 0.70 >= 0.60" : "confidence 0.40 < 0.60")).build());
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    answers.onCompleted();
                }
            };
        }

        @Override
        public void reportOutcome(ReportOutcomeRequest r, StreamObserver<ReportOutcomeResponse> answer) {
            if (r.getRealisedReturn() > 1) {
                answer.onError(Status.INVALID_ARGUMENT.withDescription("realised_return is " + r.getRealisedReturn()
                        + ", above 100 %; send a fraction (0.01 = 1 %)").asRuntimeException());
                return;
            }
            boolean known = r.getDecisionId().equals("d-1");
            answer.onNext(ReportOutcomeResponse.newBuilder()
                    .setStatus(known ? OutcomeStatus.OUTCOME_STATUS_JOINED : OutcomeStatus.OUTCOME_STATUS_UNKNOWN_DECISION)
                    .setPnl(known ? 0.25 * r.getRealisedReturn() : 0).setWeightsUpdated(known).setWeightsSnapshotId("w-9").build());
            answer.onCompleted();
        }

        @Override
        public void getPerformance(GetPerformanceRequest r, StreamObserver<GetPerformanceResponse> answer) {
            answer.onNext(GetPerformanceResponse.newBuilder()
                    .setRange(TimeRange.newBuilder().setStartTsMicros(1709251200_000000L).setEndTsMicros(1709337600_000000L))
                    .addVariants(VariantPerformance.newBuilder().setVariantName("live").setParameterSetVersion(3)
                            .setRuleSetVersion(2).setPendingOutcomes(4)
                            .setMetrics(PerformanceMetrics.newBuilder().setDecisionCount(1000).setActionCount(120)
                                    .setOutcomeCount(116).setHitRate(0.55).setPrecision(0.6).setFalsePositiveActions(46)
                                    .setPnl(0.0123).setSharpe(0.08).setMaxDrawdown(0.004))
                            .addGates(GateStatistics.newBuilder().setGateName("confidence").setEvaluations(1000)
                                    .setBlocked(800).setBlockedWouldLose(430).setBlockedWouldWin(370)))
                    .build());
            answer.onCompleted();
        }
    }

    static StandIn standIn;
    static FakeServer server;

    @BeforeAll
    static void start() {
        standIn = new StandIn();
        server = new FakeServer(standIn);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        server.close();
    }

    @Test
    void decidesOverACsvPrintingALinePerDecisionAndTheRefusedRowsWithTheirLines(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("prices.csv");
        Files.writeString(csv, """
                ts,close
                1709251200000,99.5
                1709251260000,101.25
                1709251320000,oops
                1709251380000,NaN
                1709251440000,102
                """);
        Cli.Result r = Cli.run("decide", csv.toString(), "--series", "EURUSD", "--time-col", "ts", "--time-format",
                "epoch-ms", "--value-col", "close", "--decisions", server.address());
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of(
                "2024-03-01T00:00:00Z FLAT   size 0.000  conf 0.400  confidence 0.40 < 0.60",
                "2024-03-01T00:01:00Z LONG   size 0.250  conf 0.700  confidence 0.70 >= 0.60",
                "2024-03-01T00:04:00Z LONG   size 0.250  conf 0.700  confidence 0.70 >= 0.60"), r.out().lines().toList());
        assertTrue(r.err().contains("line 4: skipped, column close: 'oops' is not a number"), r.err());
        assertTrue(r.err().contains("line 5: refused (INVALID_ARGUMENT) observation.value is NaN; send finite numbers"), r.err());
        assertTrue(r.err().contains("decided 3 observations: 2 LONG, 0 SHORT, 1 FLAT; 0 degraded; 1 refused; 1 rows skipped"),
                r.err());
    }

    @Test
    void decidesOverStandardInputAsTsvWithIdsForOutcomes() {
        String feed = "2024-03-01T00:00:00Z,150\n2024-03-01T00:01:00Z,90\n";
        Cli.Result r = Cli.withStdin(feed, "decide", "--series", "demand", "--no-header", "--time-col", "0", "--value-col", "1",
                "--format", "tsv", "--decisions", server.address());
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals("line\tdecision_id\tseries_id\ttime\tdirection\tsize\tconfidence\tensemble_probability\tagreement"
                + "\tdegraded\treason", lines.get(0));
        assertEquals(3, lines.size(), r.out());
        String[] first = lines.get(1).split("\t");
        assertEquals("1", first[0], "the CSV line");
        assertTrue(first[1].startsWith("d-"), first[1]);
        assertEquals(List.of("demand", "2024-03-01T00:00:00Z", "LONG", "0.25"), List.of(first).subList(2, 6));
        assertEquals("FLAT", lines.get(2).split("\t")[4]);
        DecideRequest sent = standIn.received.get(first[1]);
        assertEquals(150, sent.getObservation().getValue());
        assertEquals(0, sent.getLatencyBudgetMs(), "0 = the service's default budget");
    }

    @Test
    void outcomesAreReportedAndAnUnknownDecisionIsExitCodeOne() {
        Cli.Result joined = Cli.run("outcome", "d-1", "--return", "0.004", "--decisions", server.address());
        assertEquals(0, joined.exitCode(), joined.toString());
        assertEquals("JOINED: pnl +0.001000; ensemble weights updated (snapshot w-9)", joined.out().trim());
        Cli.Result unknown = Cli.run("outcome", "nope", "--return", "0.004", "--decisions", server.address());
        assertEquals(Failures.REFUSED, unknown.exitCode());
        assertTrue(unknown.err().contains("decision-service has no decision nope (UNKNOWN_DECISION)"), unknown.err());
        Cli.Result refused = Cli.run("outcome", "d-1", "--return", "4", "--decisions", server.address());
        assertEquals(Failures.REFUSED, refused.exitCode());
        assertEquals("arbiter: decision-service refused (INVALID_ARGUMENT): realised_return is 4.0, above 100 %; send a "
                + "fraction (0.01 = 1 %)", refused.err().trim());
    }

    @Test
    void performancePrintsAVariantRowAndItsGates() {
        Cli.Result r = Cli.run("performance", "--decisions", server.address());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("decisions from 2024-03-01T00:00:00Z to 2024-03-02T00:00:00Z"), r.out());
        String row = r.out().lines().filter(l -> l.startsWith("live")).findFirst().orElseThrow();
        assertEquals(List.of("live", "v3", "v2", "1,000", "120", "116", "55.0%", "60.0%", "46", "+0.0123", "0.0800", "0.0040",
                "4", "0"), List.of(row.split("\\s+")));
        assertTrue(r.out().contains("gates of live"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("confidence\\s+1,000\\s+800\\s+430\\s+370")), r.out());
    }

    @Test
    void aServiceThatIsNotThereIsExitCodeThreeWithTheFix() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Cli.Result r = Cli.run("--decisions", "127.0.0.1:" + closed, "performance");
        assertEquals(Failures.UNAVAILABLE, r.exitCode(), r.toString());
        assertEquals("arbiter: decision-service does not answer at 127.0.0.1:" + closed + ": start it (see README) or pass "
                + "--decisions host:port", r.err().trim());
    }
}
