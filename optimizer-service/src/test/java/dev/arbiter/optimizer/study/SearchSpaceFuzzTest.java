package dev.arbiter.optimizer.study;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.arbiter.proto.v1.CategoricalDistribution;
import dev.arbiter.proto.v1.Distribution;
import dev.arbiter.proto.v1.FloatDistribution;
import dev.arbiter.proto.v1.IntDistribution;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.service.RequestRefused;
import java.util.HashMap;
import java.util.Map;

/**
 * Fuzz target: a study's search space (CreateStudy) and the parameter values sent against it (EnqueueTrial, Tell).
 * Every space is accepted or refused naming the parameter's field; every value of an accepted space is taken or
 * refused, and a taken value reads back through the contract's form unchanged. Saved inputs replay in mvn verify;
 * bench/fuzz.sh fuzzes.
 */
class SearchSpaceFuzzTest {

    static Distribution distribution(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 3)) {
            case 0 -> {
                FloatDistribution.Builder f = FloatDistribution.newBuilder().setLow(data.consumeDouble()).setHigh(data.consumeDouble())
                        .setLog(data.consumeBoolean());
                if (data.consumeBoolean()) {
                    f.setStep(data.consumeDouble());
                }
                yield Distribution.newBuilder().setFloatDistribution(f).build();
            }
            case 1 -> Distribution.newBuilder().setIntDistribution(IntDistribution.newBuilder().setLow(data.consumeLong())
                    .setHigh(data.consumeLong()).setStep(data.consumeLong()).setLog(data.consumeBoolean())).build();
            case 2 -> {
                CategoricalDistribution.Builder c = CategoricalDistribution.newBuilder();
                for (int i = data.consumeInt(0, 5); i > 0; i--) {
                    c.addChoices(data.consumeString(20));
                }
                yield Distribution.newBuilder().setCategoricalDistribution(c).build();
            }
            default -> Distribution.getDefaultInstance();
        };
    }

    static ParameterValue value(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 2)) {
            case 0 -> ParameterValue.newBuilder().setDoubleValue(data.consumeDouble()).build();
            case 1 -> ParameterValue.newBuilder().setIntValue(data.consumeLong()).build();
            default -> ParameterValue.newBuilder().setStringValue(data.consumeString(20)).build();
        };
    }

    static void explained(RequestRefused refused) {
        if (!refused.explained()) {
            throw new AssertionError("unexplained refusal " + refused.code() + " " + refused.field() + ": " + refused.getMessage());
        }
    }

    @FuzzTest(maxDuration = "2h") // bench/fuzz.sh bounds a run by its count of inputs
    void everySpaceAndValueIsTakenOrRefusedNamingTheField(FuzzedDataProvider data) {
        Map<String, Distribution> space = new HashMap<>();
        for (int i = data.consumeInt(0, 4); i > 0; i--) {
            space.put(data.consumeString(40), distribution(data));
        }
        SearchSpace accepted;
        try {
            accepted = SearchSpace.of(space);
        } catch (RequestRefused refused) {
            explained(refused);
            return;
        }
        for (String name : space.keySet()) {
            ParameterValue v = value(data);
            try {
                double x = accepted.internal("values", name, v);
                double again = accepted.internal("values", name, accepted.external(name, x));
                if (Double.compare(x, again) != 0) {
                    throw new AssertionError(name + ": " + v + " read as " + x + ", back as " + again);
                }
            } catch (RequestRefused refused) {
                explained(refused);
            }
        }
    }
}
