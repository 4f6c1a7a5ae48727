package dev.arbiter.model.drift;

import dev.arbiter.engine.stats.SampleWindow;
import dev.arbiter.engine.stats.TwoSampleTests;
import dev.arbiter.model.config.DriftConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Input and score drift of every monitored model version: per version, a reference window (the first
 * {@code reference-size} predictions after monitoring starts, then frozen) and a recent window (the latest
 * {@code recent-size} predictions after that, sliding), per input feature and for the score. The windows never
 * overlap, as the two-sample tests assume independent samples.
 *
 * <p>{@link #record} is on the prediction path: it copies one row into ring buffers under a per-version lock and
 * computes nothing. The tests (two-sided Kolmogorov-Smirnov and Mann-Whitney U, {@link TwoSampleTests}) run on
 * demand ({@link #status}, {@link #statuses}) and every {@code evaluation-interval} ({@link #evaluate}), which also
 * sets the gauges {@value #DRIFT_GAUGE} and {@value #MIN_P_GAUGE} and sends an alert through {@link DriftAlerter}
 * when a version goes from not drifted to drifted, at most once per {@code alert-cooldown}.
 *
 * <p>NaN (a missing value) is kept in the windows and left out of the tests: a feature with fewer than
 * {@code min-samples} finite values in either window is reported untested (NaN p-values, not drifted).
 */
@ApplicationScoped
public class DriftMonitor {

    /** Name of the score's test in {@link DriftStatus}. */
    public static final String SCORE = "score";
    /** Gauge: 1 when the version drifted at the last evaluation, else 0; tags {@code model}, {@code version}. */
    public static final String DRIFT_GAUGE = "arbiter.model.drift";
    /** Gauge: the smallest p-value of the last evaluation, NaN without enough data; tags {@code model}, {@code version}. */
    public static final String MIN_P_GAUGE = "arbiter.model.drift.min.p.value";

    private static final Logger LOG = Logger.getLogger(DriftMonitor.class);
    private static final Comparator<Monitored> ORDER =
            Comparator.comparing((Monitored m) -> m.key.model()).thenComparingInt(m -> m.key.version());

    private final DriftConfig config;
    private final MeterRegistry registry;
    private final DriftAlerter alerter;
    private final Clock clock;
    private final ConcurrentHashMap<Key, Monitored> versions = new ConcurrentHashMap<>();
    /** Serialises evaluations with reset and forget, so alert state never outlives the windows it judged. */
    private final Object evaluationLock = new Object();
    private ScheduledExecutorService scheduler;
    private volatile boolean namesWarned;

    @Inject
    public DriftMonitor(DriftConfig config, MeterRegistry registry, DriftAlerter alerter) {
        this(config, registry, alerter, Clock.systemUTC());
    }

    DriftMonitor(DriftConfig config, MeterRegistry registry, DriftAlerter alerter, Clock clock) {
        check(config);
        this.config = config;
        this.registry = registry;
        this.alerter = alerter;
        this.clock = clock;
    }

    private static void check(DriftConfig c) {
        if (c.minSamples() < TwoSampleTests.MIN_SAMPLE) {
            throw new IllegalArgumentException("arbiter.models.drift.min-samples is " + c.minSamples()
                    + "; set at least " + TwoSampleTests.MIN_SAMPLE);
        }
        if (c.referenceSize() < c.minSamples() || c.recentSize() < c.minSamples()) {
            throw new IllegalArgumentException("arbiter.models.drift.reference-size (" + c.referenceSize()
                    + ") and recent-size (" + c.recentSize() + ") must be at least min-samples (" + c.minSamples()
                    + "); raise them or lower min-samples");
        }
        if (!(c.pValueThreshold() > 0.0 && c.pValueThreshold() < 1.0)) {
            throw new IllegalArgumentException("arbiter.models.drift.p-value-threshold is " + c.pValueThreshold()
                    + "; set a significance level in (0, 1), e.g. 0.01");
        }
        if (c.evaluationInterval().isNegative()) {
            throw new IllegalArgumentException("arbiter.models.drift.evaluation-interval is " + c.evaluationInterval()
                    + "; set a positive duration, or 0 to evaluate only on request");
        }
    }

    /** Starts periodic evaluation when {@code evaluation-interval} is positive. */
    @PostConstruct
    void start() {
        Duration every = config.evaluationInterval();
        if (every.isZero()) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "drift-evaluation");
            t.setDaemon(true);
            return t;
        });
        long millis = Math.max(1, every.toMillis());
        scheduler.scheduleWithFixedDelay(this::evaluateQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /**
     * Records one prediction of a version: its input row (in the order of {@code inputFeatureNames}) and score.
     * O(features), no statistics, never throws; the first call for a version starts monitoring it. A row whose
     * width differs from the version's first is dropped (logged once).
     *
     * @param tsMicros the time the input describes; 0 or less means now
     */
    public void record(
            String modelName, int version, List<String> inputFeatureNames, double[] row, double score, long tsMicros) {
        if (modelName == null || inputFeatureNames == null || row == null) {
            return;
        }
        Key key = new Key(modelName, version);
        Monitored m = versions.get(key);
        if (m == null) {
            if (inputFeatureNames.size() != row.length) {
                if (!namesWarned) { // once: this is the prediction path
                    namesWarned = true;
                    LOG.warnf("Drift of %s v%d not recorded: %d feature names for a row of %d values",
                            modelName, version, inputFeatureNames.size(), row.length);
                }
                return;
            }
            m = versions.computeIfAbsent(key, k -> monitor(k, inputFeatureNames));
        }
        if (row.length != m.referenceFeatures.length) {
            if (!m.widthWarned) {
                m.widthWarned = true;
                LOG.warnf("Drift of %s v%d: dropped a row of %d values; the version's first row had %d",
                        modelName, version, row.length, m.referenceFeatures.length);
            }
            return;
        }
        long ts = tsMicros > 0 ? tsMicros : clock.millis() * 1_000L;
        synchronized (m) {
            boolean filling = !m.referenceScores.full();
            SampleWindow[] features = filling ? m.referenceFeatures : m.recentFeatures;
            for (int i = 0; i < row.length; i++) {
                features[i].add(row[i], ts);
            }
            (filling ? m.referenceScores : m.recentScores).add(score, ts);
        }
    }

    /**
     * Tests one version now. A version never recorded (or forgotten) answers {@code enoughData} false with empty
     * windows and no features, whose names are only known from its first prediction.
     */
    public DriftStatus status(String modelName, int version) {
        Monitored m = versions.get(new Key(modelName, version));
        long now = nowMicros();
        if (m == null) {
            return new DriftStatus(modelName, version, false, config.pValueThreshold(), DriftStatus.Window.EMPTY,
                    DriftStatus.Window.EMPTY, List.of(), DriftTest.untested(SCORE), false, now);
        }
        return compute(m, now);
    }

    /** Tests every monitored version now, ordered by model name then version. */
    public List<DriftStatus> statuses() {
        long now = nowMicros();
        List<DriftStatus> out = new ArrayList<>();
        for (Monitored m : sorted()) {
            out.add(compute(m, now));
        }
        return out;
    }

    /**
     * Tests every monitored version, sets the gauges and sends alerts for versions that just drifted (outside their
     * cooldown). Runs every {@code evaluation-interval}; callable directly.
     */
    public List<DriftStatus> evaluate() {
        synchronized (evaluationLock) {
            long now = nowMicros();
            long cooldownMicros = config.alertCooldown().toNanos() / 1_000L;
            List<DriftStatus> out = new ArrayList<>();
            for (Monitored m : sorted()) {
                DriftStatus s = compute(m, now);
                m.driftedValue = s.drifted() ? 1.0 : 0.0;
                m.minPValue = s.minPValue();
                boolean justDrifted = s.drifted() && !m.lastDrifted;
                m.lastDrifted = s.drifted();
                if (justDrifted && (m.lastAlertMicros == Long.MIN_VALUE || now - m.lastAlertMicros >= cooldownMicros)) {
                    m.lastAlertMicros = now;
                    alerter.alert(s);
                }
                out.add(s);
            }
            return out;
        }
    }

    /** Stops monitoring a version (it was retired) and removes its gauges. A later {@link #record} starts afresh. */
    public void forget(String modelName, int version) {
        synchronized (evaluationLock) {
            Key key = new Key(modelName, version);
            Monitored m = versions.get(key);
            if (m != null) {
                // Gauges first, so that a racing record() starting the version afresh registers new ones.
                registry.remove(m.driftGauge);
                registry.remove(m.minPGauge);
                versions.remove(key, m);
            }
        }
    }

    /** Empties both windows of a version: the next predictions form a new reference. No-op for an unknown version. */
    public void reset(String modelName, int version) {
        synchronized (evaluationLock) {
            Monitored m = versions.get(new Key(modelName, version));
            if (m == null) {
                return;
            }
            synchronized (m) {
                for (SampleWindow w : m.referenceFeatures) {
                    w.clear();
                }
                for (SampleWindow w : m.recentFeatures) {
                    w.clear();
                }
                m.referenceScores.clear();
                m.recentScores.clear();
            }
            m.lastDrifted = false;
            m.driftedValue = 0.0;
            m.minPValue = Double.NaN;
        }
    }

    private void evaluateQuietly() {
        try {
            evaluate();
        } catch (RuntimeException e) {
            LOG.error("Drift evaluation failed; retrying at the next interval", e);
        }
    }

    private Monitored monitor(Key key, List<String> featureNames) {
        Monitored m = new Monitored(key, List.copyOf(featureNames), config.referenceSize(), config.recentSize());
        String version = Integer.toString(key.version());
        m.driftGauge = Gauge.builder(DRIFT_GAUGE, m, x -> x.driftedValue)
                .description("1 when the model version's inputs or score drifted at the last evaluation, else 0")
                .tags("model", key.model(), "version", version)
                .strongReference(true)
                .register(registry);
        m.minPGauge = Gauge.builder(MIN_P_GAUGE, m, x -> x.minPValue)
                .description("Smallest drift-test p-value of the model version at the last evaluation")
                .tags("model", key.model(), "version", version)
                .strongReference(true)
                .register(registry);
        return m;
    }

    private List<Monitored> sorted() {
        List<Monitored> all = new ArrayList<>(versions.values());
        all.sort(ORDER);
        return all;
    }

    /** Copies the windows under the version's lock, then tests outside it. */
    private DriftStatus compute(Monitored m, long now) {
        int features = m.featureNames.size();
        double[][] reference = new double[features][];
        double[][] recent = new double[features][];
        double[] referenceScores;
        double[] recentScores;
        DriftStatus.Window referenceWindow;
        DriftStatus.Window recentWindow;
        synchronized (m) {
            for (int i = 0; i < features; i++) {
                reference[i] = copy(m.referenceFeatures[i]);
                recent[i] = copy(m.recentFeatures[i]);
            }
            referenceScores = copy(m.referenceScores);
            recentScores = copy(m.recentScores);
            referenceWindow = window(m.referenceScores);
            recentWindow = window(m.recentScores);
        }
        int min = config.minSamples();
        boolean enough = referenceScores.length >= min && recentScores.length >= min;
        List<DriftTest> tests = new ArrayList<>(features);
        boolean drifted = false;
        for (int i = 0; i < features; i++) {
            DriftTest t = test(m.featureNames.get(i), reference[i], recent[i], enough);
            tests.add(t);
            drifted |= t.drifted();
        }
        DriftTest score = test(SCORE, referenceScores, recentScores, enough);
        drifted |= score.drifted();
        return new DriftStatus(m.key.model(), m.key.version(), drifted, config.pValueThreshold(), referenceWindow,
                recentWindow, tests, score, enough, now);
    }

    private DriftTest test(String name, double[] reference, double[] recent, boolean enough) {
        if (!enough) {
            return DriftTest.untested(name);
        }
        double[] x = finite(reference);
        double[] y = finite(recent);
        if (x.length < config.minSamples() || y.length < config.minSamples()) {
            return DriftTest.untested(name);
        }
        TwoSampleTests.Result ks = TwoSampleTests.kolmogorovSmirnov(x, y);
        TwoSampleTests.Result mw = TwoSampleTests.mannWhitneyU(x, y);
        double alpha = config.pValueThreshold();
        return new DriftTest(name, ks.statistic(), ks.pValue(), mw.statistic(), mw.pValue(),
                ks.rejects(alpha) || mw.rejects(alpha));
    }

    private static double[] copy(SampleWindow w) {
        double[] out = new double[w.size()];
        w.copyTo(out);
        return out;
    }

    private static DriftStatus.Window window(SampleWindow w) {
        return w.size() == 0 ? DriftStatus.Window.EMPTY
                : new DriftStatus.Window(w.size(), w.firstTsMicros(), w.lastTsMicros());
    }

    private static double[] finite(double[] values) {
        int n = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                values[n++] = v;
            }
        }
        return n == values.length ? values : Arrays.copyOf(values, n);
    }

    private long nowMicros() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000L;
    }

    private record Key(String model, int version) {
    }

    /** One monitored version: its windows (guarded by its own monitor) and evaluation state (by evaluationLock). */
    private static final class Monitored {
        final Key key;
        final List<String> featureNames;
        final SampleWindow[] referenceFeatures;
        final SampleWindow[] recentFeatures;
        final SampleWindow referenceScores;
        final SampleWindow recentScores;
        volatile boolean widthWarned;
        boolean lastDrifted;
        long lastAlertMicros = Long.MIN_VALUE;
        volatile double driftedValue;
        volatile double minPValue = Double.NaN;
        Gauge driftGauge;
        Gauge minPGauge;

        Monitored(Key key, List<String> featureNames, int referenceSize, int recentSize) {
            this.key = key;
            this.featureNames = featureNames;
            this.referenceFeatures = new SampleWindow[featureNames.size()];
            this.recentFeatures = new SampleWindow[featureNames.size()];
            for (int i = 0; i < featureNames.size(); i++) {
                referenceFeatures[i] = new SampleWindow(referenceSize);
                recentFeatures[i] = new SampleWindow(recentSize);
            }
            this.referenceScores = new SampleWindow(referenceSize);
            this.recentScores = new SampleWindow(recentSize);
        }
    }
}
