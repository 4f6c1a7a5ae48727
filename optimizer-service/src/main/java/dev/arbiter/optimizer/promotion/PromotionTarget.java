package dev.arbiter.optimizer.promotion;

import static dev.arbiter.service.RequestRefused.invalid;
import static dev.arbiter.service.RequestRefused.notFound;
import static dev.arbiter.service.RequestRefused.precondition;

import dev.arbiter.engine.policy.PolicyParameter;
import dev.arbiter.optimizer.study.StudyService;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.PromoteParametersRequest;
import dev.arbiter.proto.v1.Trial;
import dev.arbiter.proto.v1.TrialRef;
import dev.arbiter.proto.v1.TrialState;
import dev.arbiter.service.RequestRefused;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The values a promotion moves toward, by policy parameter name, and where they come from ("study "s" trial 3" or
 * "given values"), read from a request: a COMPLETE trial's params that are policy parameters, or given values.
 */
public record PromotionTarget(Map<String, Double> values, String source) {

    /** The request's target; RequestRefused naming the field when it is missing, unknown or unusable. */
    public static PromotionTarget of(PromoteParametersRequest r, StudyService studies) {
        return switch (r.getTargetCase()) {
            case VALUES -> given(r.getValues().getValuesMap());
            case TRIAL -> trial(r.getTrial(), studies);
            case TARGET_NOT_SET -> throw invalid("target", "target is missing; send trial (a COMPLETE trial's study_name and"
                    + " trial_number) or values (policy parameter names to values)");
        };
    }

    private static PromotionTarget given(Map<String, ParameterValue> given) {
        if (given.isEmpty()) {
            throw invalid("values.values", "values.values is empty; send at least one policy parameter (known: " + known() + ")");
        }
        Map<String, Double> out = new TreeMap<>();
        given.forEach((name, v) -> {
            String field = "values.values[\"" + name + "\"]";
            PolicyParameter p = PolicyParameter.byKey(name);
            if (p == null) {
                throw invalid(field, field + ": \"" + name + "\" is not a policy parameter; known: " + known());
            }
            out.put(name, checked(p, v, field, RequestRefused::invalid));
        });
        return new PromotionTarget(out, "given values");
    }

    private static PromotionTarget trial(TrialRef ref, StudyService studies) {
        if (ref.getStudyName().isBlank()) {
            throw invalid("trial.study_name", "trial.study_name is missing; name the study (ListStudies shows them)");
        }
        if (ref.getTrialNumber() < 0) {
            throw invalid("trial.trial_number", "trial.trial_number is " + ref.getTrialNumber() + "; send a trial's number (0 or more)");
        }
        String source = "study \"" + ref.getStudyName() + "\" trial " + ref.getTrialNumber();
        List<Trial> found;
        try {
            found = studies.listTrials(ref.getStudyName(), TrialState.TRIAL_STATE_UNSPECIFIED, ref.getTrialNumber() - 1, 1);
        } catch (RequestRefused e) {
            throw new RequestRefused(e.code(), "trial." + e.field(), e.getMessage());
        }
        if (found.isEmpty() || found.get(0).getNumber() != ref.getTrialNumber()) {
            throw notFound("trial.trial_number", source + " does not exist; ListTrials shows the study's trials");
        }
        Trial t = found.get(0);
        if (t.getState() != TrialState.TRIAL_STATE_COMPLETE) {
            throw precondition("trial.trial_number", source + " is " + t.getState().name().replace("TRIAL_STATE_", "")
                    + ", not COMPLETE; promote a COMPLETE trial (GetBestTrials answers the best)");
        }
        Map<String, Double> out = new TreeMap<>();
        t.getParamsMap().forEach((name, v) -> {
            PolicyParameter p = PolicyParameter.byKey(name);
            if (p != null) {
                out.put(name, checked(p, v, "trial", RequestRefused::precondition));
            }
        });
        if (out.isEmpty()) {
            throw precondition("trial", source + " has no policy parameters (its params: " + new TreeMap<>(t.getParamsMap()).keySet()
                    + "); promote a trial of a study whose search space names policy parameters (" + known() + ")");
        }
        return new PromotionTarget(out, source);
    }

    private interface Refusal {
        RequestRefused refuse(String field, String message);
    }

    private static double checked(PolicyParameter p, ParameterValue v, String field, Refusal refusal) {
        double x = switch (v.getKindCase()) {
            case DOUBLE_VALUE -> v.getDoubleValue();
            case INT_VALUE -> v.getIntValue();
            default -> throw refusal.refuse(field, field + ": " + p.key() + " has no number (" + v.getKindCase()
                    + "); policy parameters are numbers: send double_value or int_value");
        };
        String problem = p.problemWith(x);
        if (problem != null) {
            throw refusal.refuse(field, field + ": " + problem);
        }
        return x;
    }

    private static String known() {
        return String.join(", ", Arrays.stream(PolicyParameter.values()).map(PolicyParameter::key).toList());
    }
}
