package dev.arbiter.model.drift;

import dev.arbiter.engine.drift.DriftDetector;
import dev.arbiter.engine.drift.QuantityDrift;
import dev.arbiter.engine.stats.SampleWindow;
import dev.arbiter.model.config.DriftConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Input and score drift of every monitored model version. Per version there is one <em>reference window</em>, shared
 * by every replica through PostgreSQL ({@link DriftReferences}), and one <em>recent window</em> per replica (the
 * latest {@code recent-size} predictions this replica made after the reference, sliding).
 *
 * <h2>The reference's lifecycle</h2>
 * Activating a version (ACTIVE or SHADOW) and {@link #reset} ({@code ResetDriftReference}, {@code arbiter models
 * drift --reset}) empty it and bump its generation. Every replica then collects the next {@code reference-size}
 * predictions as a candidate; at its next evaluation the first replica whose candidate is full stores it and the
 * others load it, dropping their own candidate. From then on the reference is frozen until the next reset, and it
 * survives restarts. A version serving from before this existed gets a row (reason {@code first predictions}) at its
 * first evaluation. Replicas learn of a reset on another replica from the change bus, or at their next evaluation.
 *
 * <h2>The test</h2>
 * {@link DriftDetector} (engine): only features at the scale of returns and the score are tested, with KS and
 * Mann-Whitney at effective sample sizes, Benjamini–Hochberg at {@code false-discovery-rate} across them, PSI as the
 * severity. {@link #record} is on the prediction path: it copies one row into ring buffers under a per-version lock
 * and touches neither statistics nor PostgreSQL.
 *
 * <h2>Alerts</h2>
 * Every {@code evaluation-interval} ({@link #evaluate}) every version is synchronised with PostgreSQL and tested, the
 * gauges {@value #DRIFT_GAUGE} and {@value #MIN_Q_GAUGE} are set, and a version that goes from not drifted to drifted
 * claims the alert in PostgreSQL: exactly one replica wins and sends it, at most once per {@code alert-cooldown}. With
 * PostgreSQL unreachable the replica works from what it holds and sends its own alert (a duplicate rather than none).
 */
@ApplicationScoped
public class DriftMonitor {

    /** Name of the score's test in {@link DriftStatus}. */
    public static final String SCORE = "score";
    /** Gauge: 1 when the version drifted at the last evaluation, else 0; tags {@code model}, {@code version}. */
    public static final String DRIFT_GAUGE = "arbiter.model.drift";
    /** Gauge: the smallest Benjamini–Hochberg adjusted p-value of the last evaluation, NaN untested; tags as above. */
    public static final String MIN_Q_GAUGE = "arbiter.model.drift.min.q.value";

    private static final Logger LOG = Logger.getLogger(DriftMonitor.class);
    private static final long UNKNOWN = -1L;
    private static final Comparator<Monitored> ORDER =
            Comparator.comparing((Monitored m) -> m.key.model()).thenComparingInt(m -> m.key.version());

    private final DriftConfig config;
    private final MeterRegistry registry;
    private final DriftAlerter alerter;
    private final DriftReferences references;
    private final DriftDetector detector;
    private final Clock clock;
    private final ConcurrentHashMap<Key, Monitored> versions = new ConcurrentHashMap<>();
    /** Serialises evaluations with reset and forget, so alert state never outlives the windows it judged. */
    private final Object evaluationLock = new Object();
    private ScheduledExecutorService scheduler;
    private volatile boolean namesWarned;
    private volatile boolean storeWarned;

    @Inject
    public DriftMonitor(DriftConfig config, MeterRegistry registry, DriftAlerter alerter, DriftReferences references) {
        this(config, registry, alerter, references, Clock.systemUTC());
    }

    DriftMonitor(DriftConfig config, MeterRegistry registry, DriftAlerter alerter, DriftReferences references,
                 Clock clock) {
        check(config);
        this.config = config;
        this.registry = registry;
        this.alerter = alerter;
        this.references = references;
        this.detector = new DriftDetector(config.falseDiscoveryRate(), config.minSamples());
        this.clock = clock;
    }

    private static void check(DriftConfig c) {
        if (c.minSamples() < 2) {
            throw new IllegalArgumentException("arbiter.models.drift.min-samples is " + c.minSamples() + "; set at least 2");
        }
        if (c.referenceSize() < c.minSamples() || c.recentSize() < c.minSamples()) {
            throw new IllegalArgumentException("arbiter.models.drift.reference-size (" + c.referenceSize()
                    + ") and recent-size (" + c.recentSize() + ") must be at least min-samples (" + c.minSamples()
                    + "); raise them or lower min-samples");
        }
        if (!(c.falseDiscoveryRate() > 0.0 && c.falseDiscoveryRate() < 1.0)) {
            throw new IllegalArgumentException("arbiter.models.drift.false-discovery-rate is " + c.falseDiscoveryRate()
                    + "; set a rate in (0, 1), e.g. 0.01");
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
     * O(features), no statistics, no I/O, never throws; the first call for a version starts monitoring it. A row
     * whose width differs from the version's first is dropped (logged once).
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
        if (row.length != m.featureCount()) {
            if (!m.widthWarned) {
                m.widthWarned = true;
                LOG.warnf("Drift of %s v%d: dropped a row of %d values; the version's first row had %d",
                        modelName, version, row.length, m.featureCount());
            }
            return;
        }
        long ts = tsMicros > 0 ? tsMicros : clock.millis() * 1_000L;
        synchronized (m) {
            boolean filling = m.reference == null && !m.candidate[0].full();
            SampleWindow[] windows = filling ? m.candidate : m.recent;
            for (int i = 0; i < row.length; i++) {
                windows[i].add(row[i], ts);
            }
            windows[row.length].add(score, ts);
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
            return DriftStatus.unmonitored(modelName, version, config.falseDiscoveryRate(), now);
        }
        synchronize(m, now);
        return compute(m, now);
    }

    /** Tests every monitored version now, ordered by model name then version. */
    public List<DriftStatus> statuses() {
        long now = nowMicros();
        List<DriftStatus> out = new ArrayList<>();
        for (Monitored m : sorted()) {
            synchronize(m, now);
            out.add(compute(m, now));
        }
        return out;
    }

    /**
     * Synchronises and tests every monitored version, sets the gauges and sends the alerts this replica claims.
     * Runs every {@code evaluation-interval}; callable directly.
     */
    public List<DriftStatus> evaluate() {
        synchronized (evaluationLock) {
            long now = nowMicros();
            long cooldownMicros = config.alertCooldown().toNanos() / 1_000L;
            List<DriftStatus> out = new ArrayList<>();
            for (Monitored m : sorted()) {
                synchronize(m, now);
                DriftStatus s = compute(m, now);
                m.driftedValue = s.drifted() ? 1.0 : 0.0;
                m.minQValue = s.minQValue();
                if (s.drifted() && !m.lastDrifted && claim(m, now, cooldownMicros)) {
                    alerter.alert(s);
                } else if (!s.drifted() && m.lastDrifted) {
                    clear(m);
                }
                m.lastDrifted = s.drifted();
                out.add(s);
            }
            return out;
        }
    }

    /**
     * Empties the version's shared reference (every replica's, through PostgreSQL): the next predictions form a new
     * one. Called at activation ({@code reason} "activation") and by {@code ResetDriftReference} ("refresh").
     *
     * @return the new generation
     * @throws SQLException when PostgreSQL cannot be reached; nothing changed then
     */
    public long reset(String modelName, int version, String reason) throws SQLException {
        synchronized (evaluationLock) {
            long generation = references.reset(modelName, version, reason, nowMicros());
            Monitored m = versions.get(new Key(modelName, version));
            if (m != null) {
                synchronize(m, nowMicros());
            }
            return generation;
        }
    }

    /** Re-reads one version's shared reference now (another replica reset it). No-op for an unmonitored version. */
    public void refresh(String modelName, int version) {
        synchronized (evaluationLock) {
            Monitored m = versions.get(new Key(modelName, version));
            if (m != null) {
                synchronize(m, nowMicros());
            }
        }
    }

    /**
     * Stops monitoring a version (it was retired) and removes its gauges; {@code deleteShared} also removes its shared
     * row (the replica that retired it does). A later {@link #record} starts afresh.
     */
    public void forget(String modelName, int version, boolean deleteShared) {
        synchronized (evaluationLock) {
            Key key = new Key(modelName, version);
            Monitored m = versions.get(key);
            if (m != null) {
                // Gauges first, so that a racing record() starting the version afresh registers new ones.
                registry.remove(m.driftGauge);
                registry.remove(m.minQGauge);
                versions.remove(key, m);
            }
            if (deleteShared) {
                try {
                    references.delete(modelName, version);
                } catch (SQLException e) {
                    LOG.warnf("Drift reference of retired %s v%d not deleted (%s); it is kept, unused",
                            modelName, version, e.getMessage());
                }
            }
        }
    }

    private void evaluateQuietly() {
        try {
            evaluate();
        } catch (RuntimeException e) {
            LOG.error("Drift evaluation failed; retrying at the next interval", e);
        }
    }

    /**
     * Brings one version in line with its shared row: a new generation (a reset anywhere) empties the local windows;
     * a stored reference replaces the local candidate; a full candidate with none stored is stored. Logs and keeps
     * the local state when PostgreSQL cannot be reached.
     */
    /** Takes the shared reference when it names the version's inputs as its predictions do (caller holds m). */
    private static void adoptShared(Monitored m, DriftReferences.Reference shared) {
        if (shared.names().equals(m.names)) {
            m.adopt(shared);
        } else {
            LOG.warnf("Drift reference of %s v%d names %s, its predictions %s; refresh the reference",
                    m.key.model(), m.key.version(), shared.names(), m.names);
        }
    }

    private void synchronize(Monitored m, long now) {
        try {
            DriftReferences.Row row = references.load(m.key.model(), m.key.version(), now);
            DriftReferences.Reference candidate = null;
            synchronized (m) {
                if (row.generation() != m.generation) {
                    if (m.generation != UNKNOWN) {
                        m.clear();
                        m.lastDrifted = false;
                    }
                    m.generation = row.generation();
                }
                m.reason = row.reason();
                if (row.reference() != null && (m.reference == null || m.localOnly)) {
                    adoptShared(m, row.reference());
                } else if (row.reference() == null && m.localOnly) {
                    candidate = m.reference;
                } else if (row.reference() == null && m.reference == null && m.candidate[0].full()) {
                    candidate = m.freezeCandidate(now);
                }
            }
            if (candidate != null && references.store(m.key.model(), m.key.version(), row.generation(), candidate)) {
                synchronized (m) {
                    if (m.generation == row.generation() && (m.reference == null || m.localOnly)) {
                        m.reference = candidate;
                        m.localOnly = false;
                        clear(m.candidate);
                    }
                }
            } else if (candidate != null) {
                // Another caller (a concurrent GetDriftStatus here, or another replica) stored its reference first:
                // use that one now, rather than answering "not enough data" until the next synchronisation.
                DriftReferences.Row stored = references.load(m.key.model(), m.key.version(), now);
                synchronized (m) {
                    if (stored.reference() != null && stored.generation() == m.generation
                            && (m.reference == null || m.localOnly)) {
                        adoptShared(m, stored.reference());
                    }
                }
            }
            storeWarned = false;
        } catch (SQLException | RuntimeException e) {
            if (!storeWarned) {
                storeWarned = true;
                LOG.warnf("Drift references could not be read or stored (%s); each replica tests against what it"
                        + " holds until PostgreSQL answers", e.getMessage());
            }
            synchronized (m) {
                if (m.reference == null && m.candidate[0].full()) {
                    m.reference = m.freezeCandidate(now); // local only, stored at the next synchronisation that works
                    m.localOnly = true;
                }
            }
        }
    }

    private boolean claim(Monitored m, long now, long cooldownMicros) {
        try {
            return references.claimAlert(m.key.model(), m.key.version(), m.generation, now, cooldownMicros);
        } catch (SQLException e) {
            LOG.warnf("Drift alert of %s v%d not claimed in PostgreSQL (%s); sending it from this replica",
                    m.key.model(), m.key.version(), e.getMessage());
            if (m.lastAlertMicros != Long.MIN_VALUE && now - m.lastAlertMicros < cooldownMicros) {
                return false;
            }
            m.lastAlertMicros = now;
            return true;
        }
    }

    private void clear(Monitored m) {
        try {
            references.clearDrifted(m.key.model(), m.key.version(), m.generation);
        } catch (SQLException e) {
            LOG.debugf("drift of %s v%d not marked over: %s", m.key.model(), m.key.version(), e.getMessage());
        }
    }

    private Monitored monitor(Key key, List<String> featureNames) {
        Monitored m = new Monitored(key, featureNames, config.referenceSize(), config.recentSize());
        String version = Integer.toString(key.version());
        m.driftGauge = Gauge.builder(DRIFT_GAUGE, m, x -> x.driftedValue)
                .description("1 when the model version's inputs or score drifted at the last evaluation, else 0")
                .tags("model", key.model(), "version", version)
                .strongReference(true)
                .register(registry);
        m.minQGauge = Gauge.builder(MIN_Q_GAUGE, m, x -> x.minQValue)
                .description("Smallest Benjamini-Hochberg adjusted drift p-value of the model version at the last evaluation")
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
        int quantities = m.names.size();
        double[][] recent = new double[quantities][];
        DriftReferences.Reference reference;
        DriftStatus.Window recentWindow;
        DriftStatus.Window referenceWindow;
        long generation;
        String reason;
        synchronized (m) {
            reference = m.reference;
            for (int i = 0; i < quantities; i++) {
                recent[i] = copy(m.recent[i]);
            }
            recentWindow = window(m.recent[quantities - 1]);
            referenceWindow = reference != null
                    ? new DriftStatus.Window(reference.sampleCount(), reference.firstTsMicros(), reference.lastTsMicros())
                    : window(m.candidate[quantities - 1]);
            generation = m.generation;
            reason = m.reason;
        }
        boolean enough = reference != null && reference.sampleCount() >= config.minSamples()
                && recent[0].length >= config.minSamples();
        List<QuantityDrift> tests = enough
                ? detector.detect(m.names, reference.values(), recent)
                : m.names.stream().map(n -> QuantityDrift.untested(n, dev.arbiter.engine.drift.FeatureScale.of(n))).toList();
        DriftStatus.Reference about = new DriftStatus.Reference(generation == UNKNOWN ? 0 : generation,
                reason == null ? "" : reason, reference == null ? 0L : reference.setTsMicros(), m.localOnly);
        return new DriftStatus(m.key.model(), m.key.version(), config.falseDiscoveryRate(), referenceWindow,
                recentWindow, tests.subList(0, quantities - 1), tests.get(quantities - 1), enough, now, about);
    }

    private static double[] copy(SampleWindow w) {
        double[] out = new double[w.size()];
        w.copyTo(out);
        return out;
    }

    private static void clear(SampleWindow[] windows) {
        for (SampleWindow w : windows) {
            w.clear();
        }
    }

    private static DriftStatus.Window window(SampleWindow w) {
        return w.size() == 0 ? DriftStatus.Window.EMPTY
                : new DriftStatus.Window(w.size(), w.firstTsMicros(), w.lastTsMicros());
    }

    private long nowMicros() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000L;
    }

    private record Key(String model, int version) {
    }

    /**
     * One monitored version: its windows and reference (guarded by its own monitor) and evaluation state (by
     * evaluationLock). Each window array holds the input features, then the score.
     */
    private static final class Monitored {
        final Key key;
        final List<String> names;
        final SampleWindow[] candidate;
        final SampleWindow[] recent;
        DriftReferences.Reference reference;
        long generation = UNKNOWN;
        String reason;
        boolean localOnly;
        volatile boolean widthWarned;
        /** Written by evaluations and by a synchronisation that finds a reset (also on GetDriftStatus calls). */
        volatile boolean lastDrifted;
        long lastAlertMicros = Long.MIN_VALUE;
        volatile double driftedValue;
        volatile double minQValue = Double.NaN;
        Gauge driftGauge;
        Gauge minQGauge;

        Monitored(Key key, List<String> featureNames, int referenceSize, int recentSize) {
            this.key = key;
            List<String> all = new ArrayList<>(featureNames);
            all.add(SCORE);
            this.names = List.copyOf(all);
            this.candidate = new SampleWindow[names.size()];
            this.recent = new SampleWindow[names.size()];
            for (int i = 0; i < names.size(); i++) {
                candidate[i] = new SampleWindow(referenceSize);
                recent[i] = new SampleWindow(recentSize);
            }
        }

        /** Input features: every name but the score's, last. */
        int featureCount() {
            return names.size() - 1;
        }

        /** Empties every window and drops the reference (a reset). */
        void clear() {
            DriftMonitor.clear(candidate);
            DriftMonitor.clear(recent);
            reference = null;
            localOnly = false;
            driftedValue = 0.0;
            minQValue = Double.NaN;
        }

        /**
         * Takes the shared reference. This replica's candidate is recent data when it is wholly later than the
         * reference (a replica started after the reference was set); otherwise it overlaps it and is dropped.
         */
        void adopt(DriftReferences.Reference shared) {
            SampleWindow score = candidate[names.size() - 1];
            boolean later = score.size() > 0 && score.firstTsMicros() > shared.lastTsMicros();
            for (int i = 0; i < names.size(); i++) {
                if (later) {
                    candidate[i].drainInto(recent[i]);
                } else {
                    candidate[i].clear();
                }
            }
            reference = shared;
            localOnly = false;
        }

        DriftReferences.Reference freezeCandidate(long now) {
            double[][] values = new double[names.size()][];
            for (int i = 0; i < names.size(); i++) {
                values[i] = copy(candidate[i]);
            }
            SampleWindow score = candidate[names.size() - 1];
            return new DriftReferences.Reference(names, values, score.firstTsMicros(), score.lastTsMicros(), now);
        }
    }
}
