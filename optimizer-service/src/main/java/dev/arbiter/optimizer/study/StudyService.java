package dev.arbiter.optimizer.study;

import static dev.arbiter.service.RequestRefused.invalid;
import static dev.arbiter.service.RequestRefused.notFound;
import static dev.arbiter.service.RequestRefused.precondition;

import dev.arbiter.optimizer.config.StudyConfig;
import dev.arbiter.proto.v1.CreateStudyRequest;
import dev.arbiter.proto.v1.IntermediateValue;
import dev.arbiter.proto.v1.ReportIntermediateRequest;
import dev.arbiter.proto.v1.Study;
import dev.arbiter.proto.v1.StudyDirection;
import dev.arbiter.proto.v1.TellRequest;
import dev.arbiter.proto.v1.Trial;
import dev.arbiter.proto.v1.TrialState;
import dev.arbiter.service.Identifiers;
import dev.arbiter.service.ObservationTimes;
import dev.arbiter.service.RequestRefused;
import io.grpc.Status;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Studies and their trials (CreateStudy, GetStudy, ListStudies, Ask, Tell, ReportIntermediate, ListTrials,
 * GetBestTrials), shared through PostgreSQL by any number of optimizer-service processes ({@link StudyStore} says
 * how). A RUNNING trial whose worker stops showing signs of life for {@code heartbeat-timeout} is marked FAIL, by the
 * next Ask of its study or by this process' periodic sweep, and the study goes on.
 */
@ApplicationScoped
public class StudyService {

    private static final Logger LOG = Logger.getLogger(StudyService.class);

    /** A trial as a worker sees it, with the study's definition (for RunTrials). */
    public record Asked(Trial trial, StudyDefinition definition, long studyId) {
    }

    private final StudyStore store;
    private final StudyConfig config;
    private final Map<Long, StudyState> states = new ConcurrentHashMap<>();
    /** Stored studies by name: a definition never changes once created, so it is read once per process. */
    private final Map<String, StudyStore.StoredStudy> byName = new ConcurrentHashMap<>();
    private final long processSeed = new SecureRandom().nextLong();
    private final String worker = ManagementFactory.getRuntimeMXBean().getName();
    private ScheduledExecutorService sweeper;

    public StudyService(StudyStore store, StudyConfig config) {
        this.store = store;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        long every = config.staleCheckInterval().toMillis();
        if (every > 0) {
            sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "study-stale-trials");
                t.setDaemon(true);
                return t;
            });
            sweeper.scheduleWithFixedDelay(this::sweepQuietly, every, every, TimeUnit.MILLISECONDS);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }

    // ---- studies --------------------------------------------------------------------------------------

    public Study create(CreateStudyRequest request) {
        if (!request.hasStudy()) {
            throw invalid("study", "study is missing; send the study's name, objectives and search space");
        }
        StudyDefinition d = StudyDefinition.check(request.getStudy(), config.maxNameLength());
        if (d.study().hasEvaluation()) {
            try {
                TrialEvaluation.check(d);
            } catch (RequestRefused e) {
                throw invalid(e.field(), e.getMessage());
            }
        }
        return sql(() -> {
            var created = store.create(d.study(), ObservationTimes.nowMicros());
            if (created.isPresent()) {
                return withCounts(created.get());
            }
            if (request.getLoadIfExists()) {
                return withCounts(stored(d.study().getStudyName()));
            }
            throw new RequestRefused(Status.Code.ALREADY_EXISTS, "study.study_name", "study.study_name \""
                    + d.study().getStudyName() + "\" is taken; choose another name, or set load_if_exists to continue that study");
        });
    }

    public Study get(String name) {
        return sql(() -> withCounts(stored(name)));
    }

    /** Newest first; {@code beforeId} 0 for the first page. Answers the page and the id to continue before. */
    public List<Study> list(long beforeId, int limit, List<Long> lastId) {
        return sql(() -> {
            List<Study> out = new ArrayList<>();
            for (StudyStore.StoredStudy s : store.list(beforeId, limit)) {
                out.add(withCounts(s));
                lastId.add(s.id());
            }
            return out;
        });
    }

    // ---- trials ---------------------------------------------------------------------------------------

    /** Starts a trial: the next number, parameters from the sampler. */
    public Trial ask(String studyName) {
        return askFor(studyName, 1).get(0).trial();
    }

    /**
     * Starts {@code count} trials in one transaction (RunTrials' workers take a few at a time: one commit for
     * several trials). Each is sampled with the ones before it counted as running (constant liar).
     */
    public List<Asked> askFor(String studyName, int count) {
        return sql(() -> {
            StudyStore.StoredStudy s = stored(studyName);
            StudyState state = state(s);
            List<Trial> trials = store.locked(s.id(), (c, locked) -> {
                long now = ObservationTimes.nowMicros();
                failStale(c, s.id(), now);
                state.sync(c);
                List<Trial> running = new ArrayList<>();
                for (StudyStore.StoredTrial t : StudyStore.running(c, s.id())) {
                    running.add(t.trial());
                }
                List<Trial> asked = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    int number = StudyStore.nextNumber(c, s.id());
                    Map<String, Double> params = state.sample(number, running);
                    Trial t = Trial.newBuilder()
                            .setStudyName(studyName)
                            .setNumber(number)
                            .setState(TrialState.TRIAL_STATE_RUNNING)
                            .putAllParams(state.definition.space().external(params))
                            .setStartedTsMicros(now)
                            .build();
                    StudyStore.insertRunning(c, s.id(), t, worker);
                    running.add(t);
                    asked.add(t);
                }
                return asked;
            });
            return trials.stream().map(t -> new Asked(t, state.definition, s.id())).toList();
        });
    }

    public Trial tell(TellRequest r) {
        return sql(() -> {
            StudyStore.StoredStudy s = stored(r.getStudyName());
            StudyState state = state(s);
            TrialState finalState = r.getState() == TrialState.TRIAL_STATE_UNSPECIFIED ? TrialState.TRIAL_STATE_COMPLETE : r.getState();
            if (finalState == TrialState.TRIAL_STATE_RUNNING || finalState == TrialState.UNRECOGNIZED) {
                throw invalid("state", "state is " + (finalState == TrialState.UNRECOGNIZED ? "the unknown value " + r.getStateValue()
                        : "RUNNING") + "; tell a trial as TRIAL_STATE_COMPLETE (with values), TRIAL_STATE_PRUNED or TRIAL_STATE_FAIL");
            }
            int objectives = state.definition.directions().size();
            if (finalState == TrialState.TRIAL_STATE_COMPLETE) {
                if (r.getValuesCount() != objectives) {
                    throw invalid("values", "values has " + r.getValuesCount() + " values, but the study has " + objectives
                            + " objective(s); send one finite value per objective, in Study.objectives order");
                }
                for (int i = 0; i < r.getValuesCount(); i++) {
                    if (!Double.isFinite(r.getValues(i))) {
                        throw invalid("values[" + i + "]", "values[" + i + "] is " + r.getValues(i) + "; send finite values,"
                                + " or tell the trial as TRIAL_STATE_FAIL when it could not be measured");
                    }
                }
            } else if (r.getValuesCount() > 0) {
                throw invalid("values", "values are given for a " + finalState.name() + " trial; send values only with"
                        + " TRIAL_STATE_COMPLETE (a pruned trial keeps its intermediate values)");
            }
            Identifiers.requireText("fail_reason", r.getFailReason(), 2_000);
            for (Map.Entry<String, String> e : r.getUserAttrsMap().entrySet()) {
                Identifiers.requireIdentifier("user_attrs", e.getKey(), 200, "the attribute");
                Identifiers.requireText("user_attrs[\"" + e.getKey() + "\"]", e.getValue(), 10_000);
            }
            return finish(s, r.getTrialNumber(), finalState, r.getValuesList(), r.getFailReason(), r.getUserAttrsMap(), "",
                    List.of());
        });
    }

    /** How a worker finishes one trial (RunTrials). */
    public record Finish(int number, TrialState state, List<Double> values, String failReason,
                         List<IntermediateValue> intermediates) {
    }

    /** Finishes RUNNING trials of one worker in one transaction; answers them finished, in the same order. */
    public List<Trial> finishAll(String studyName, List<Finish> finishes) {
        return sql(() -> {
            StudyStore.StoredStudy s = stored(studyName);
            return store.locked(s.id(), (c, locked) -> {
                List<Trial> out = new ArrayList<>(finishes.size());
                for (Finish f : finishes) {
                    out.add(finishLocked(c, s, f.number(), f.state(), f.values(), f.failReason(), Map.of(), "", f.intermediates()));
                }
                return out;
            });
        });
    }

    private Trial finish(StudyStore.StoredStudy s, int number, TrialState finalState, List<Double> values, String failReason,
                         Map<String, String> userAttrs, String backtestReportId, List<IntermediateValue> intermediates)
            throws SQLException {
        return store.locked(s.id(), (c, locked) -> finishLocked(c, s, number, finalState, values, failReason, userAttrs,
                backtestReportId, intermediates));
    }

    private static Trial finishLocked(java.sql.Connection c, StudyStore.StoredStudy s, int number, TrialState finalState,
                                      List<Double> values, String failReason, Map<String, String> userAttrs,
                                      String backtestReportId, List<IntermediateValue> intermediates) throws SQLException {
        StudyStore.StoredTrial t = StudyStore.trialForUpdate(c, s.id(), number).orElseThrow(() -> unknownTrial(s, number));
        requireRunning(t.trial(), "trial_number", "a trial is told once; ask for a new trial");
        long now = ObservationTimes.nowMicros();
        StudyStore.addIntermediates(c, s.id(), number, intermediates);
        StudyStore.finish(c, s.id(), number, finalState, values, failReason, userAttrs, backtestReportId, now);
        return t.trial().toBuilder()
                .setStudyName(s.definition().getStudyName())
                .setState(finalState)
                .addAllValues(values)
                .addAllIntermediateValues(intermediates)
                .setCompletedTsMicros(now)
                .setFailReason(failReason)
                .putAllUserAttrs(userAttrs)
                .setBacktestReportId(backtestReportId)
                .build();
    }

    /** Records an intermediate value and answers the pruner's verdict. */
    public boolean reportIntermediate(ReportIntermediateRequest r) {
        if (r.getStep() < 0) {
            throw invalid("step", "step is " + r.getStep() + "; send a step >= 0 (e.g. the fold index)");
        }
        if (!Double.isFinite(r.getValue())) {
            throw invalid("value", "value is " + r.getValue() + "; send a finite intermediate value");
        }
        return sql(() -> {
            StudyStore.StoredStudy s = stored(r.getStudyName());
            StudyState state = state(s);
            if (state.definition.directions().size() != 1) {
                throw precondition("study_name", "study_name \"" + r.getStudyName() + "\" names a study with " + state.definition.directions().size()
                        + " objectives; intermediate values and pruning are for single-objective studies (as in Optuna)");
            }
            return store.locked(s.id(), (c, locked) -> {
                StudyStore.StoredTrial t = StudyStore.trialForUpdate(c, s.id(), r.getTrialNumber())
                        .orElseThrow(() -> unknownTrial(s, r.getTrialNumber()));
                requireRunning(t.trial(), "trial_number", "intermediate values are reported while a trial runs, before it is told");
                if (!StudyStore.addIntermediate(c, s.id(), r.getTrialNumber(), r.getStep(), r.getValue(), ObservationTimes.nowMicros())) {
                    throw invalid("step", "step " + r.getStep() + " of trial " + r.getTrialNumber() + " was reported before;"
                            + " report each step once");
                }
                state.sync(c);
                Trial now = t.trial().toBuilder().addIntermediateValues(
                        IntermediateValue.newBuilder().setStep(r.getStep()).setValue(r.getValue())).build();
                return state.shouldPrune(now);
            });
        });
    }

    /**
     * The pruner's verdict from what this process knows (the trials finished as of its last Ask), without a database
     * round trip: RunTrials asks it after every fold.
     */
    public boolean shouldPruneLocally(long studyId, Trial running) {
        StudyState state = states.get(studyId);
        return state != null && state.shouldPrune(running);
    }

    public void heartbeat(long studyId, List<Integer> numbers) {
        sql(() -> {
            store.heartbeat(studyId, numbers, ObservationTimes.nowMicros());
            return null;
        });
    }

    public List<Trial> listTrials(String studyName, TrialState filter, int afterNumber, int limit) {
        if (filter == TrialState.UNRECOGNIZED) {
            throw invalid("state", "state is an unknown value; filter by a TrialState, or leave it unset for all");
        }
        return sql(() -> {
            StudyStore.StoredStudy s = stored(studyName);
            return store.list(s.id(), filter, afterNumber, limit).stream()
                    .map(t -> t.toBuilder().setStudyName(studyName).build()).toList();
        });
    }

    /** The best COMPLETE trial, or the Pareto front (by number) of a multi-objective study. */
    public List<Trial> best(String studyName) {
        return sql(() -> {
            StudyStore.StoredStudy s = stored(studyName);
            List<StudyDirection> directions = s.definition().getObjectivesList().stream().map(o -> o.getDirection()).toList();
            List<Trial> complete = store.complete(s.id());
            List<Trial> front = new ArrayList<>();
            for (Trial t : complete) {
                boolean dominated = false;
                for (Trial o : complete) {
                    if (o != t && dominates(o, t, directions)) {
                        dominated = true;
                        break;
                    }
                }
                if (!dominated) {
                    front.add(t.toBuilder().setStudyName(studyName).build());
                }
            }
            if (directions.size() == 1 && front.size() > 1) {
                return List.of(front.get(0)); // ties: the first, as Optuna's best_trial
            }
            return front;
        });
    }

    static boolean dominates(Trial a, Trial b, List<StudyDirection> directions) {
        boolean strictly = false;
        for (int i = 0; i < directions.size(); i++) {
            double sign = directions.get(i) == StudyDirection.STUDY_DIRECTION_MINIMIZE ? 1 : -1;
            double x = sign * a.getValues(i);
            double y = sign * b.getValues(i);
            if (x > y) {
                return false;
            }
            strictly |= x < y;
        }
        return strictly;
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private void failStale(java.sql.Connection c, long studyId, long now) throws SQLException {
        long timeout = config.heartbeatTimeout().toNanos() / 1_000;
        List<Integer> failed = StudyStore.failStale(c, studyId, now - timeout, now, "no heartbeat from its worker for "
                + config.heartbeatTimeout().toSeconds() + " s: the worker is taken to have died");
        if (!failed.isEmpty()) {
            LOG.warnf("study %d: trials %s marked FAIL after %d s without a heartbeat", studyId, failed,
                    config.heartbeatTimeout().toSeconds());
        }
    }

    private void sweepQuietly() {
        try {
            long now = ObservationTimes.nowMicros();
            for (long id : store.studiesWithRunningTrials()) {
                store.locked(id, (c, s) -> {
                    failStale(c, id, now);
                    return null;
                });
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("stale-trial sweep skipped: %s", e.toString());
        }
    }

    private StudyState state(StudyStore.StoredStudy s) {
        return states.computeIfAbsent(s.id(), id -> new StudyState(id, StudyDefinition.of(s.definition()), processSeed));
    }

    private StudyStore.StoredStudy stored(String name) throws SQLException {
        if (name.isEmpty()) {
            throw invalid("study_name", "study_name is missing; name the study (ListStudies shows them)");
        }
        StudyStore.StoredStudy cached = byName.get(name);
        if (cached != null) {
            return cached;
        }
        StudyStore.StoredStudy found = store.find(name).orElseThrow(() -> notFound("study_name", "study_name \"" + name
                + "\" names no study; create it with CreateStudy (ListStudies shows the existing ones)"));
        byName.put(name, found);
        return found;
    }

    private Study withCounts(StudyStore.StoredStudy s) throws SQLException {
        Map<TrialState, Integer> counts = store.counts(s.id());
        return s.definition().toBuilder()
                .setCreatedTsMicros(s.createdTsMicros())
                .setRunningTrials(counts.getOrDefault(TrialState.TRIAL_STATE_RUNNING, 0))
                .setCompleteTrials(counts.getOrDefault(TrialState.TRIAL_STATE_COMPLETE, 0))
                .setPrunedTrials(counts.getOrDefault(TrialState.TRIAL_STATE_PRUNED, 0))
                .setFailedTrials(counts.getOrDefault(TrialState.TRIAL_STATE_FAIL, 0))
                .build();
    }

    private static RequestRefused unknownTrial(StudyStore.StoredStudy s, int number) {
        return notFound("trial_number", "trial_number " + number + ": study \"" + s.definition().getStudyName() + "\" has no such trial"
                + "; ask for a trial first (ListTrials shows them)");
    }

    private static void requireRunning(Trial t, String field, String what) {
        if (t.getState() != TrialState.TRIAL_STATE_RUNNING) {
            throw precondition(field, field + " " + t.getNumber() + " is already finished ("
                    + t.getState().name().substring("TRIAL_STATE_".length()) + (t.getFailReason().isEmpty() ? "" : ": " + t.getFailReason())
                    + "); " + what);
        }
    }

    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    private static <T> T sql(SqlWork<T> work) {
        try {
            return work.run();
        } catch (SQLException e) {
            throw new RequestRefused(Status.Code.UNAVAILABLE, "study_name", "the study database did not answer ("
                    + e.getMessage() + "); retry in a few seconds");
        }
    }
}
