package dev.arbiter.optimizer.training;

import static dev.arbiter.service.RequestRefused.invalid;
import static dev.arbiter.service.RequestRefused.notFound;

import dev.arbiter.optimizer.dataset.LabelDefinition;
import dev.arbiter.optimizer.dataset.LabelSpecs;
import dev.arbiter.proto.v1.ModelKind;
import dev.arbiter.proto.v1.RegistrationPolicy;
import dev.arbiter.proto.v1.TrainingSpec;
import dev.arbiter.service.TimeRanges;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A checked TrainingSpec: everything that can be refused before any data is read is refused here, naming the field.
 *
 * @param spec               the request as sent
 * @param settings           the model kind, calibration and hyperparameters
 * @param label              how rows are labelled
 * @param horizonField       the request field of the label's horizon, for refusals that depend on the data
 * @param validationFraction the latest share of rows held out (0 in the request resolved to 0.2)
 * @param registration       when to register (UNSPECIFIED resolved to IF_BETTER)
 * @param metaMembers        with spec.meta: the ensemble's members the meta model is trained for; empty otherwise
 */
public record TrainingPlan(TrainingSpec spec, ModelSettings settings, LabelDefinition label, String horizonField,
                           double validationFraction, RegistrationPolicy registration, List<ModelSettings> metaMembers) {

    /** True when this job trains the learned gate's model (spec.meta). */
    public boolean meta() {
        return !metaMembers.isEmpty();
    }

    /** model-service's rule for model names. */
    public static final Pattern MODEL_NAME = Pattern.compile("[a-z0-9_-]{1,64}");
    static final double DEFAULT_VALIDATION_FRACTION = 0.2;

    /**
     * @param seriesExists whether history is stored for a series id
     * @throws dev.arbiter.service.RequestRefused INVALID_ARGUMENT, or NOT_FOUND for a series without history
     */
    public static TrainingPlan of(TrainingSpec spec, Predicate<String> seriesExists) {
        String name = spec.getModelName();
        if (name.isEmpty()) {
            throw invalid("spec.model_name", "spec.model_name is missing; send the model-service model to register"
                    + " under, e.g. \"gbt-demand\"");
        }
        if (!MODEL_NAME.matcher(name).matches()) {
            throw invalid("spec.model_name", "spec.model_name \"" + name + "\" is not a model-service name; use lowercase"
                    + " letters, digits, '-' and '_', at most 64 characters");
        }
        if (!spec.hasModel()) {
            throw invalid("spec.model", "spec.model is missing; send the kind to train (and optionally hyperparameters"
                    + " and calibration)");
        }
        ModelSettings settings = ModelSettings.of(spec.getModel(), "spec.model");
        List<String> series = spec.getSeriesIdsList();
        if (series.isEmpty()) {
            throw invalid("spec.series_ids", "spec.series_ids is empty; send at least one series with imported history"
                    + " (ListHistory lists them)");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < series.size(); i++) {
            String id = series.get(i);
            String field = "spec.series_ids[" + i + "]";
            if (id.isEmpty()) {
                throw invalid(field, field + " is empty; send a series id");
            }
            if (!seen.add(id)) {
                throw invalid(field, field + " repeats \"" + id + "\"; list each series once");
            }
            if (!seriesExists.test(id)) {
                throw notFound(field, field + " \"" + id + "\" has no stored history; import it with ImportHistory"
                        + " first (ListHistory lists the series there are)");
            }
        }
        long start = spec.getRange().getStartTsMicros();
        long end = spec.getRange().getEndTsMicros();
        TimeRanges.check("spec.range", start, end);
        double fraction = spec.getValidationFraction();
        if (fraction == 0.0) {
            fraction = DEFAULT_VALIDATION_FRACTION;
        } else if (!(fraction > 0.0 && fraction < 1.0)) {
            throw invalid("spec.validation_fraction", "spec.validation_fraction is " + spec.getValidationFraction()
                    + "; send a share in (0, 1), e.g. 0.2, or 0 for the default " + DEFAULT_VALIDATION_FRACTION);
        }
        if (!spec.hasLabel()) {
            throw invalid("spec.label", "spec.label is missing; send forward_return_sign or threshold_event");
        }
        LabelDefinition label = LabelSpecs.definition(spec.getLabel(), "spec.label");
        RegistrationPolicy registration = spec.getRegistration();
        if (registration == RegistrationPolicy.UNRECOGNIZED) {
            throw invalid("spec.registration", "spec.registration is the unknown value " + spec.getRegistrationValue()
                    + "; send IF_BETTER, IF_SIGNIFICANTLY_BETTER, ALWAYS or NEVER");
        }
        if (registration == RegistrationPolicy.REGISTRATION_POLICY_UNSPECIFIED) {
            registration = RegistrationPolicy.REGISTRATION_POLICY_IF_BETTER;
        }
        List<ModelSettings> metaMembers = new ArrayList<>();
        if (spec.hasMeta()) {
            if (settings.kind() != ModelKind.MODEL_KIND_LOGISTIC_REGRESSION) {
                throw invalid("spec.model.kind", "spec.model.kind is " + settings.kind() + " but spec.meta trains the"
                        + " learned gate's model, a logistic regression; send MODEL_KIND_LOGISTIC_REGRESSION");
            }
            if (spec.getMeta().getMembersCount() == 0) {
                throw invalid("spec.meta.members", "spec.meta.members is empty; send the ensemble's members, each as"
                        + " RunTraining would train it (kind, hyperparameters, calibration)");
            }
            for (int i = 0; i < spec.getMeta().getMembersCount(); i++) {
                metaMembers.add(ModelSettings.of(spec.getMeta().getMembers(i), "spec.meta.members[" + i + "]"));
            }
        }
        return new TrainingPlan(spec, settings, label, LabelSpecs.horizonField(spec.getLabel(), "spec.label"), fraction,
                registration, List.copyOf(metaMembers));
    }
}
