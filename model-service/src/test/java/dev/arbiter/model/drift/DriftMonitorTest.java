package dev.arbiter.model.drift;

import static dev.arbiter.model.drift.Streams.FEATURES;
import static dev.arbiter.model.drift.Streams.MODEL;
import static dev.arbiter.model.drift.Streams.VERSION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.engine.drift.QuantityDrift;
import dev.arbiter.service.alerts.AlertSender;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DriftMonitorTest {

    /** Alerts go nowhere here (DriftAlertTest posts them to a receiver). */
    private static final DriftAlerter ALERTER = new DriftAlerter(new AlertSender(AlertSender.Settings.webhook(Optional.empty()), null,
            "model-service", Clock.systemUTC()));

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TestDriftConfig config = TestDriftConfig.defaults();
    private final DriftReferences references = DriftTables.fresh();
    private final DriftMonitor monitor = new DriftMonitor(config, registry, ALERTER, references);

    /** Replaces a test that passed on one hand-picked seed: the false-positive rate over 200 seeds. */
    @Test
    void stationaryStreamsAlarmAtMostAtTheFalseDiscoveryRate() {
        int runs = 200;
        int drifted = 0;
        for (int seed = 1; seed <= runs; seed++) {
            Streams stream = new Streams(seed, "fpr-" + seed);
            stream.feed(monitor, 600);
            drifted += monitor.status(stream.model(), VERSION).drifted() ? 1 : 0;
        }
        // Benjamini-Hochberg at 1 % over 4 independent quantities: about 2 of 200 expected.
        assertTrue(drifted <= 6, drifted + " of " + runs + " stationary streams drifted");
    }

    @Test
    void windowsHoldTheFirstPredictionsThenTheLatest() {
        Streams stream = new Streams(42).feed(monitor, 300);
        monitor.evaluate(); // the full candidate becomes the shared reference
        stream.feed(monitor, 700);

        DriftStatus s = monitor.evaluate().get(0);

        assertTrue(s.enoughData());
        assertEquals(300, s.reference().sampleCount());
        assertEquals(300, s.current().sampleCount());
        assertEquals(FEATURES, s.features().stream().map(QuantityDrift::name).toList());
        for (QuantityDrift t : s.features()) {
            assertTrue(t.tested(), t::toString);
        }
        assertEquals(DriftMonitor.SCORE, s.score().name());
        assertEquals(s.drifted() ? 1.0 : 0.0, gauge(DriftMonitor.DRIFT_GAUGE).value());
        assertEquals(s.minQValue(), gauge(DriftMonitor.MIN_Q_GAUGE).value());
        // The recent window slides: it holds the last 300 of the 700 predictions after the reference.
        assertEquals(stream.lastTsMicros(), s.current().lastTsMicros());
        assertEquals(stream.lastTsMicros() - 299 * 1_000_000L, s.current().firstTsMicros());
        assertEquals(s.reference().firstTsMicros() + 299 * 1_000_000L, s.reference().lastTsMicros());
        assertEquals("first predictions", s.about().reason());
        assertEquals(1, s.about().generation());
        assertTrue(s.about().setTsMicros() > 0);
    }

    @Test
    void replicasShareOneReferenceThatSurvivesARestart() throws Exception {
        DriftMonitor other = new DriftMonitor(config, new SimpleMeterRegistry(), ALERTER, references);
        new Streams(1).feed(monitor, 300);
        monitor.evaluate(); // stores its reference first
        Streams second = new Streams(2).shiftFeatureA(3.0).feed(other, 300); // a candidate of its own, shifted

        DriftStatus onOther = other.evaluate().get(0); // loads the stored one, dropping its candidate
        assertEquals(0, onOther.current().sampleCount());
        second.feed(other, 300);
        onOther = other.evaluate().get(0);

        assertTrue(onOther.features().get(0).drifted(), "tested against the first replica's reference: " + onOther);
        DriftMonitor restarted = new DriftMonitor(config, new SimpleMeterRegistry(), ALERTER, references);
        new Streams(3).skip(10_000).feed(restarted, 300);
        DriftStatus afterRestart = restarted.evaluate().get(0);
        assertEquals(300, afterRestart.current().sampleCount(), "the stored reference is used at once after a restart");
        assertEquals(onOther.reference(), afterRestart.reference());

        long generation = monitor.reset(MODEL, VERSION, "refresh");
        assertEquals(2, generation);
        other.refresh(MODEL, VERSION);
        DriftStatus refreshed = other.status(MODEL, VERSION);
        assertEquals(0, refreshed.reference().sampleCount());
        assertEquals(0, refreshed.current().sampleCount());
        assertEquals("refresh", refreshed.about().reason());
        assertEquals(2, restarted.evaluate().get(0).about().generation(), "a replica not told learns at its next evaluation");
    }

    @Test
    void aShiftedFeatureDriftsAndOnlyIt() {
        new Streams(42).feed(monitor, 300).shiftFeatureA(1.0).feed(monitor, 300);

        DriftStatus s = monitor.evaluate().get(0);

        assertTrue(s.drifted());
        QuantityDrift a = s.features().get(0);
        assertTrue(a.drifted(), a::toString);
        assertTrue(a.ksPValue() < 1e-6 && a.mannWhitneyPValue() < 1e-6, a::toString);
        assertFalse(s.features().get(1).drifted(), () -> s.features().get(1).toString());
        assertFalse(s.features().get(2).drifted(), () -> s.features().get(2).toString());
        assertTrue(a.qValue() < 1e-6, a::toString);
        assertEquals(dev.arbiter.engine.stats.PopulationStability.Severity.SIGNIFICANT, a.severity());
        assertFalse(s.score().drifted(), s.score()::toString);
        assertEquals(List.of(a), s.driftedTests());
        assertEquals(1.0, gauge(DriftMonitor.DRIFT_GAUGE).value());
        assertTrue(gauge(DriftMonitor.MIN_Q_GAUGE).value() < 1e-6);
    }

    @Test
    void aShiftedScoreDrifts() {
        new Streams(42).feed(monitor, 300).shiftScore(1.0).feed(monitor, 300);

        DriftStatus s = monitor.status(MODEL, VERSION);

        assertTrue(s.drifted());
        assertTrue(s.score().drifted(), s.score()::toString);
        assertTrue(s.score().ksPValue() < 1e-6 && s.score().mannWhitneyPValue() < 1e-6, s.score()::toString);
        assertTrue(s.features().stream().noneMatch(QuantityDrift::drifted), () -> s.features().toString());
    }

    @Test
    void belowTheMinimumNothingIsTestedAndNothingDrifts() {
        Streams stream = new Streams(42).feed(monitor, 250);
        DriftStatus filling = monitor.status(MODEL, VERSION);
        assertFalse(filling.enoughData());
        assertEquals(250, filling.reference().sampleCount());
        assertEquals(0, filling.current().sampleCount());

        // Even a huge shift stays silent until the recent window holds min-samples (100) predictions.
        stream.feed(monitor, 50).shiftFeatureA(10.0).shiftScore(10.0).feed(monitor, 99);
        DriftStatus s = monitor.evaluate().get(0);

        assertFalse(s.enoughData());
        assertFalse(s.drifted());
        assertEquals(300, s.reference().sampleCount());
        assertEquals(99, s.current().sampleCount());
        assertEquals(3, s.features().size());
        assertTrue(s.features().stream().noneMatch(QuantityDrift::tested));
        assertFalse(s.score().tested());
        assertTrue(Double.isNaN(gauge(DriftMonitor.MIN_Q_GAUGE).value()));

        stream.feed(monitor, 1);
        assertTrue(monitor.status(MODEL, VERSION).drifted());
    }

    @Test
    void aVersionNeverRecordedHasNoData() {
        DriftStatus s = monitor.status("unknown", 1);

        assertFalse(s.enoughData());
        assertFalse(s.drifted());
        assertEquals(0, s.reference().sampleCount());
        assertEquals(0, s.current().sampleCount());
        assertTrue(s.features().isEmpty());
        assertEquals(0.01, s.falseDiscoveryRate());
        assertTrue(monitor.statuses().isEmpty());
    }

    @Test
    void missingValuesAreLeftOutAndAMostlyMissingFeatureIsUntested() {
        double[] row = new double[2];
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 600; i++) {
            row[0] = i % 10 == 0 ? Double.NaN : r.nextGaussian(); // 10 % missing: still tested
            row[1] = i % 10 == 0 ? r.nextGaussian() : Double.NaN; // 90 % missing: 30 finite per window < 100
            monitor.record("sparse", 1, List.of("x", "y"), row, r.nextDouble(), 0L);
        }

        DriftStatus s = monitor.status("sparse", 1);

        assertTrue(s.enoughData());
        assertFalse(s.drifted());
        assertTrue(s.features().get(0).tested());
        assertFalse(s.features().get(1).tested());
        assertFalse(s.features().get(1).drifted());
        assertTrue(s.reference().firstTsMicros() > 0, "ts 0 is replaced by the current time");
    }

    @Test
    void aRowOfTheWrongWidthIsDropped() {
        monitor.record(MODEL, VERSION, FEATURES, new double[] {1, 2, 3}, 0.5, 1L);
        monitor.record(MODEL, VERSION, FEATURES, new double[] {1, 2}, 0.5, 2L);
        monitor.record("other", 1, List.of("a"), new double[] {1, 2}, 0.5, 3L);

        assertEquals(1, monitor.status(MODEL, VERSION).reference().sampleCount());
        assertEquals(1, monitor.statuses().size());
    }

    @Test
    void statusesAreOrderedByModelThenVersion() {
        for (String model : List.of("b", "a")) {
            for (int version : new int[] {10, 2}) {
                monitor.record(model, version, List.of("x"), new double[] {1.0}, 0.5, 1L);
            }
        }

        List<String> order = monitor.statuses().stream().map(s -> s.modelName() + s.version()).toList();

        assertEquals(List.of("a2", "a10", "b2", "b10"), order);
    }

    @Test
    void resetStartsANewReference() throws Exception {
        Streams stream = new Streams(42).feed(monitor, 300).shiftFeatureA(1.0).feed(monitor, 300);
        assertTrue(monitor.evaluate().get(0).drifted());

        monitor.reset(MODEL, VERSION, "refresh");
        DriftStatus empty = monitor.status(MODEL, VERSION);
        assertEquals(0, empty.reference().sampleCount());
        assertEquals(0, empty.current().sampleCount());
        assertEquals(0.0, gauge(DriftMonitor.DRIFT_GAUGE).value());

        // The shifted stream is now the reference, so it no longer drifts.
        stream.feed(monitor, 300);
        monitor.evaluate();
        stream.feed(monitor, 300);
        assertFalse(monitor.evaluate().get(0).drifted());
    }

    @Test
    void forgetStopsMonitoringAndRemovesTheGauges() {
        new Streams(42).feed(monitor, 10);
        assertNotNull(registry.find(DriftMonitor.DRIFT_GAUGE).gauge());

        monitor.forget(MODEL, VERSION, true);

        assertTrue(monitor.statuses().isEmpty());
        assertFalse(monitor.status(MODEL, VERSION).enoughData());
        assertNull(registry.find(DriftMonitor.DRIFT_GAUGE).gauge());
        assertNull(registry.find(DriftMonitor.MIN_Q_GAUGE).gauge());

        new Streams(43).feed(monitor, 5);
        assertEquals(5, monitor.status(MODEL, VERSION).reference().sampleCount());
        assertNotNull(registry.find(DriftMonitor.DRIFT_GAUGE).gauge());
    }

    @Test
    void recordingWhileEvaluatingKeepsTheWindowsConsistent() throws Exception {
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                writers.add(pool.submit(() -> {
                    start.await();
                    new Streams(seed).feed(monitor, 2_000);
                    return null;
                }));
            }
            start.countDown();
            while (writers.stream().anyMatch(f -> !f.isDone())) {
                for (DriftStatus s : monitor.evaluate()) {
                    if (s.reference().sampleCount() < 300) {
                        assertEquals(0, s.current().sampleCount(), "the recent window fills only after the reference");
                    }
                }
            }
            for (Future<?> f : writers) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        DriftStatus s = monitor.status(MODEL, VERSION);
        assertEquals(300, s.reference().sampleCount());
        assertEquals(300, s.current().sampleCount());
    }

    @Test
    void refusesAWindowSmallerThanTheMinimum() {
        TestDriftConfig bad = TestDriftConfig.windows(50, 300, 100);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DriftMonitor(bad, registry, ALERTER, references));
        assertTrue(e.getMessage().contains("reference-size"), e.getMessage());
    }

    private Gauge gauge(String name) {
        Gauge g = registry.find(name).tags("model", MODEL, "version", Integer.toString(VERSION)).gauge();
        assertNotNull(g, name);
        return g;
    }
}
