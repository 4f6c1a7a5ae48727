package dev.arbiter.optimizer.study;

import static dev.arbiter.service.RequestRefused.invalid;
import static dev.arbiter.service.RequestRefused.precondition;

import dev.arbiter.engine.simulation.Simulator;
import dev.arbiter.optimizer.backtest.BacktestService;
import dev.arbiter.optimizer.backtest.WalkForwardBacktest;
import dev.arbiter.optimizer.config.StudyConfig;
import dev.arbiter.proto.v1.IntermediateValue;
import dev.arbiter.proto.v1.RunTrialsRequest;
import dev.arbiter.proto.v1.Study;
import dev.arbiter.proto.v1.TrialState;
import dev.arbiter.service.RequestRefused;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * RunTrials: the service runs a study's trials itself. The study's evaluation (a walk-forward backtest) is prepared
 * once per call (members trained per fold, test windows predicted), then each worker thread asks for a few trials
 * at a time ({@code trials-per-transaction}, one commit for them, the constant liar spreading them) and runs the
 * policy with those trials' parameters fold by fold, together (several per SIMD instruction when the JVM has
 * {@code jdk.incubator.vector}) (each fold's objective value is an intermediate value; the
 * pruner may stop the trial after any fold), measures the objectives over all test windows, and tells the trial with
 * its intermediate values, the few together in one transaction. Finished trials are streamed; a cancelled call stops
 * asking.
 */
@ApplicationScoped
public class TrialRunner {

    private static final Logger LOG = Logger.getLogger(TrialRunner.class);

    private final StudyService studies;
    private final BacktestService backtests;
    private final StudyConfig config;

    public TrialRunner(StudyService studies, BacktestService backtests, StudyConfig config) {
        this.studies = studies;
        this.backtests = backtests;
        this.config = config;
    }

    /** Says at start whether RunTrials' simulations take the vector path, and how to turn it on when they do not. */
    void onStart(@Observes StartupEvent event) {
        if (Simulator.VECTORIZED) {
            LOG.info("RunTrials simulates the trials a worker holds together, several per SIMD instruction (jdk.incubator.vector)");
            // the vector path is 25 times slower until the JIT compiles it: pay that now, not in the first study
            Thread warmUp = new Thread(() -> LOG.infof("RunTrials' vector path warmed up in %d ms", Simulator.warmUpVectorPath()),
                    "vector-warm-up");
            warmUp.setDaemon(true);
            warmUp.start();
        } else {
            LOG.warn("RunTrials simulates one trial at a time: this JVM lacks jdk.incubator.vector; start it with"
                    + " --add-modules=jdk.incubator.vector (JDK_JAVA_OPTIONS), as the README's commands do");
        }
    }

    /** Runs the trials; {@code emit} gets each finished trial (from worker threads, one at a time). Blocking. */
    public void run(RunTrialsRequest request, Consumer<dev.arbiter.proto.v1.Trial> emit, BooleanSupplier cancelled) {
        if (request.getNTrials() <= 0) {
            throw invalid("n_trials", "n_trials is " + Integer.toUnsignedString(request.getNTrials()) + "; ask for 1 or more trials"
                    + " (at most " + config.maxTrialsPerRun() + " per call)");
        }
        if (Integer.compareUnsigned(request.getNTrials(), config.maxTrialsPerRun()) > 0) {
            throw invalid("n_trials", "n_trials is " + Integer.toUnsignedString(request.getNTrials()) + "; ask for at most "
                    + config.maxTrialsPerRun() + " per call and call again to go on");
        }
        if (request.getTimeoutMs() < 0) {
            throw invalid("timeout_ms", "timeout_ms is " + request.getTimeoutMs() + "; give a positive limit in ms, or 0 for none");
        }
        int parallelism = request.getParallelism() == 0 ? 1 : request.getParallelism();
        if (parallelism < 0 || parallelism > config.maxParallelism()) {
            throw invalid("parallelism", "parallelism is " + Integer.toUnsignedString(request.getParallelism()) + "; run 1 to "
                    + config.maxParallelism() + " trials at once (0 = 1)");
        }
        Study study = studies.get(request.getStudyName());
        if (!study.hasEvaluation()) {
            throw precondition("study_name", "study_name \"" + request.getStudyName() + "\" names a study without an evaluation, so the service cannot"
                    + " run its trials; run them by Ask and Tell, or create a study with an evaluation");
        }
        StudyDefinition definition = StudyDefinition.of(study);
        List<TrialEvaluation.Objective> objectives = TrialEvaluation.check(definition);
        MemberTuning evaluation = prepare(definition, objectives);

        long deadline = request.getTimeoutMs() == 0 ? Long.MAX_VALUE : System.nanoTime() + request.getTimeoutMs() * 1_000_000L;
        AtomicInteger started = new AtomicInteger();
        Set<Integer> running = ConcurrentHashMap.newKeySet();
        ExecutorService workers = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "study-trials-" + request.getStudyName());
            t.setDaemon(true);
            return t;
        });
        ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "study-heartbeat");
            t.setDaemon(true);
            return t;
        });
        AtomicLong studyId = new AtomicLong(); // known from the first Ask; read by the heartbeat thread
        long every = config.heartbeatInterval().toMillis();
        heartbeats.scheduleWithFixedDelay(() -> {
            if (!running.isEmpty() && studyId.get() != 0) {
                try {
                    studies.heartbeat(studyId.get(), new ArrayList<>(running));
                } catch (RuntimeException e) {
                    LOG.debugf("heartbeat skipped: %s", e.toString());
                }
            }
        }, every, every, TimeUnit.MILLISECONDS);
        Object emitLock = new Object();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < parallelism; w++) {
                futures.add(workers.submit(() -> {
                    while (!cancelled.getAsBoolean() && System.nanoTime() < deadline) {
                        int batch = take(started, request.getNTrials(), config.trialsPerTransaction());
                        if (batch == 0) {
                            break;
                        }
                        List<StudyService.Asked> asked = studies.askFor(request.getStudyName(), batch);
                        studyId.set(asked.get(0).studyId());
                        asked.forEach(a -> running.add(a.trial().getNumber()));
                        try {
                            List<StudyService.Finish> finishes = evaluate(asked, evaluation);
                            List<dev.arbiter.proto.v1.Trial> done = studies.finishAll(request.getStudyName(), finishes);
                            synchronized (emitLock) {
                                done.forEach(emit);
                            }
                        } finally {
                            asked.forEach(a -> running.remove(a.trial().getNumber()));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RequestRefused(io.grpc.Status.Code.CANCELLED, "study_name", "RunTrials was interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RequestRefused r) {
                throw r;
            }
            throw new IllegalStateException("a trial worker failed: " + e.getCause(), e.getCause());
        } finally {
            workers.shutdownNow();
            heartbeats.shutdownNow();
        }
    }

    /** Takes up to {@code most} of the trials left to start; 0 when none are left. */
    private static int take(AtomicInteger started, int total, int most) {
        while (true) {
            int now = started.get();
            int n = Math.min(most, total - now);
            if (n <= 0) {
                return 0;
            }
            if (started.compareAndSet(now, now + n)) {
                return n;
            }
        }
    }

    /** Runs the asked trials together ({@link MemberTuning#evaluateAll}): each COMPLETE, PRUNED after a fold, or FAIL with the reason. */
    private List<StudyService.Finish> evaluate(List<StudyService.Asked> asked, MemberTuning evaluation) {
        List<TrialEvaluation.Candidate> batch = new ArrayList<>(asked.size());
        for (StudyService.Asked a : asked) {
            dev.arbiter.proto.v1.Trial trial = a.trial();
            boolean prunable = a.definition().directions().size() == 1;
            batch.add(new TrialEvaluation.Candidate(StudyState.engine(a.definition(), trial).params(), foldValues -> {
                if (!prunable) {
                    return false;
                }
                dev.arbiter.proto.v1.Trial.Builder sofar = trial.toBuilder();
                for (int k = 0; k < foldValues.size(); k++) {
                    sofar.addIntermediateValues(IntermediateValue.newBuilder().setStep(k).setValue(foldValues.get(k)));
                }
                return studies.shouldPruneLocally(a.studyId(), sofar.build());
            }));
        }
        evaluation.evaluateAll(batch);
        List<StudyService.Finish> finishes = new ArrayList<>(asked.size());
        for (int i = 0; i < asked.size(); i++) {
            finishes.add(finish(asked.get(i).trial(), batch.get(i)));
        }
        return finishes;
    }

    private static StudyService.Finish finish(dev.arbiter.proto.v1.Trial trial, TrialEvaluation.Candidate evaluated) {
        if (evaluated.refused != null) {
            return new StudyService.Finish(trial.getNumber(), TrialState.TRIAL_STATE_FAIL, List.of(),
                    "the policy refused these parameters: " + evaluated.refused, List.of());
        }
        TrialEvaluation.Outcome outcome = evaluated.outcome;
        List<IntermediateValue> intermediates = new ArrayList<>();
        for (int k = 0; k < outcome.foldValues().size(); k++) {
            double v = outcome.foldValues().get(k);
            if (Double.isFinite(v)) {
                intermediates.add(IntermediateValue.newBuilder().setStep(k).setValue(v).build());
            }
        }
        if (outcome.pruned()) {
            return new StudyService.Finish(trial.getNumber(), TrialState.TRIAL_STATE_PRUNED, List.of(), "", intermediates);
        }
        for (double v : outcome.values()) {
            if (!Double.isFinite(v)) {
                return new StudyService.Finish(trial.getNumber(), TrialState.TRIAL_STATE_FAIL, List.of(),
                        "an objective is not finite on these parameters (" + outcome.values() + ")", intermediates);
            }
        }
        return new StudyService.Finish(trial.getNumber(), TrialState.TRIAL_STATE_COMPLETE, outcome.values(), "", intermediates);
    }

    /**
     * The evaluation's backtest set up and, for the members as configured, its members' predictions computed (so that
     * an evaluation that does not fit the data is refused before any trial); its fields named under
     * "study.evaluation.backtest". Trials that tune member hyperparameters get their own preparations.
     */
    private MemberTuning prepare(StudyDefinition d, List<TrialEvaluation.Objective> objectives) {
        BacktestService.Setup setup;
        try {
            setup = backtests.setup(d.study().getEvaluation().getBacktest());
        } catch (RequestRefused e) {
            throw reprefixed(e);
        }
        MemberTuning tuning = new MemberTuning(setup.settings().members(), members -> {
            WalkForwardBacktest.Prepared prepared = WalkForwardBacktest.prepare(setup.data(),
                    MemberTuning.withMembers(setup.settings(), members), (fold, count) -> { }, (p, fold, from, to) -> { });
            return new TrialEvaluation(prepared, setup.settings().parameters(), setup.settings().rules(), objectives,
                    d.study().getEvaluation().getStress());
        }, config.memberPreparations());
        try {
            tuning.evaluation(Map.of());
        } catch (IllegalArgumentException e) {
            throw reprefixed(BacktestService.refusal(e, setup));
        }
        return tuning;
    }

    private static RequestRefused reprefixed(RequestRefused e) {
        String field = e.field().startsWith("spec") ? "study.evaluation.backtest" + e.field().substring("spec".length()) : e.field();
        String message = e.getMessage().startsWith("spec") ? "study.evaluation.backtest" + e.getMessage().substring("spec".length())
                : e.getMessage();
        boolean aboutTheRequest = e.code() == io.grpc.Status.Code.INVALID_ARGUMENT || e.code() == io.grpc.Status.Code.NOT_FOUND;
        return new RequestRefused(aboutTheRequest ? io.grpc.Status.Code.FAILED_PRECONDITION : e.code(),
                field, message + " (the study's evaluation does not fit the data; create a study whose evaluation does)");
    }
}
