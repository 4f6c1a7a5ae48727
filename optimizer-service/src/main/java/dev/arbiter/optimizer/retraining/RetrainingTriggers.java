package dev.arbiter.optimizer.retraining;

import dev.arbiter.optimizer.client.ModelRegistryClient;
import dev.arbiter.optimizer.config.RetrainingConfig;
import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.EnsembleMember;
import dev.arbiter.proto.v1.ModelDriftStatus;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.ModelVersionRef;
import dev.arbiter.proto.v1.RetrainRequest;
import dev.arbiter.proto.v1.RetrainingTrigger;
import dev.arbiter.service.RequestRefused;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * What starts retrainings without a caller: the cron ({@code arbiter.optimizer.retraining.cron}) and the drift poll
 * ({@code arbiter.optimizer.retraining.drift-poll}). Both look at the members of the configured ensembles
 * ({@code arbiter.optimizer.retraining.ensembles}) and retrain each member version that is its model's champion: the
 * cron all of them, the poll those model-service reports drifted. Each start claims a key in PostgreSQL (the firing
 * time, or the drift reference generation), so of several replicas one retrains, and a drift is retrained once.
 */
@ApplicationScoped
public class RetrainingTriggers {

    private static final Logger LOG = Logger.getLogger(RetrainingTriggers.class);

    private final Retrainings retrainings;
    private final ModelRegistryClient models;
    private final RetrainingConfig config;

    RetrainingTriggers(Retrainings retrainings, ModelRegistryClient models, RetrainingConfig config) {
        this.retrainings = retrainings;
        this.models = models;
        this.config = config;
    }

    @Scheduled(identity = "retraining-schedule", cron = "${arbiter.optimizer.retraining.cron:off}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void onSchedule(ScheduledExecution execution) {
        scheduled(execution.getScheduledFireTime());
    }

    @Scheduled(identity = "retraining-drift", every = "${arbiter.optimizer.retraining.drift-poll:5m}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void onDriftPoll() {
        drifted();
    }

    /** The cron fired at {@code fireTime}: retrain every champion member of the configured ensembles. */
    public List<Long> scheduled(Instant fireTime) {
        List<Long> started = new ArrayList<>();
        for (Member m : champions()) {
            start(m, RetrainingTrigger.RETRAINING_TRIGGER_SCHEDULE, "schedule:" + m.version.getModelName() + ":"
                    + fireTime.getEpochSecond(), "the cron " + config.cron() + " fired at " + fireTime).ifPresent(started::add);
        }
        return started;
    }

    /** The drift poll: retrain every champion member that model-service reports drifted, once per reference generation. */
    public List<Long> drifted() {
        List<Long> started = new ArrayList<>();
        for (Member m : champions()) {
            Optional<ModelDriftStatus> status;
            try {
                status = models.drift(m.version);
            } catch (RuntimeException e) {
                LOG.warnf("drift poll: %s; tried again at the next poll", e.getMessage());
                continue;
            }
            status.filter(ModelDriftStatus::getDrifted).ifPresent(s -> start(m, RetrainingTrigger.RETRAINING_TRIGGER_DRIFT,
                    "drift:" + s.getModelName() + ":" + s.getVersion() + ":" + s.getReferenceGeneration(),
                    String.format(java.util.Locale.ROOT, "v%d drifted (%s, smallest q-value %.3g, reference generation %d)",
                            s.getVersion(), s.getSeverity().name().substring("DRIFT_SEVERITY_".length()).toLowerCase(java.util.Locale.ROOT),
                            s.getMinQValue(), s.getReferenceGeneration())).ifPresent(started::add));
        }
        return started;
    }

    private record Member(String ensemble, ModelVersionRef version) {}

    /** Each configured ensemble's members that are their model's champion (ACTIVE, highest version). */
    private List<Member> champions() {
        List<Member> out = new ArrayList<>();
        for (String name : config.ensembles().orElse(List.of())) {
            try {
                Optional<EnsembleDefinition> e = models.ensemble(name);
                if (e.isEmpty()) {
                    LOG.warnf("retraining: ensemble %s (arbiter.optimizer.retraining.ensembles) is not defined", name);
                    continue;
                }
                for (EnsembleMember member : e.get().getMembersList()) {
                    Optional<ModelVersion> champion = models.champion(member.getModelName());
                    if (champion.isPresent() && champion.get().getVersion() == member.getVersion()) {
                        out.add(new Member(name, RetrainingStore.ref(member.getModelName(), member.getVersion())));
                    }
                }
            } catch (RuntimeException x) {
                LOG.warnf("retraining: reading ensemble %s failed (%s); tried again next time", name, x.getMessage());
            }
        }
        return out;
    }

    private Optional<Long> start(Member m, RetrainingTrigger trigger, String key, String reason) {
        try {
            return retrainings.start(RetrainRequest.newBuilder().setModelName(m.version.getModelName())
                            .setEnsembleName(m.ensemble).setReason(reason).build(), trigger, key, Retrainings.Listener.LOGGED)
                    .map(r -> {
                        LOG.infof("retraining %d of %s started: %s", r.getRetrainingId(), r.getModelName(), reason);
                        return r.getRetrainingId();
                    });
        } catch (RequestRefused r) {
            LOG.infof("retraining of %s (%s) not started: %s: %s", m.version.getModelName(), reason, r.field(), r.getMessage());
            return Optional.empty();
        }
    }
}
