package dev.arbiter.optimizer.promotion;

import dev.arbiter.proto.v1.ParameterSet;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.PerformanceMetrics;
import java.util.Map;

/**
 * What a promotion needs of decision-service: its live parameter set, a new version, a rollback, and the live
 * variant's performance for the guard. {@link DecisionParametersClient} calls decision-service; tests use a double.
 * Every method throws {@link dev.arbiter.service.RequestRefused} with decision-service's code, field and message.
 */
public interface DecisionParameters {

    /** The author of every version a promotion creates. */
    String AUTHOR = "optimizer-service";

    /** The live parameter set. */
    ParameterSet live();

    /** SetParameters: a new live version with {@code values} changed (or the would-be set, when {@code dryRun}). */
    ParameterSet set(Map<String, ParameterValue> values, String reason, int expectedLiveVersion, boolean dryRun);

    /** RollbackParameters: a new live version copying {@code toVersion}. */
    ParameterSet rollback(int toVersion, String reason);

    /** The "live" variant's metrics over decision-service's rolling performance window. */
    PerformanceMetrics livePerformance();
}
