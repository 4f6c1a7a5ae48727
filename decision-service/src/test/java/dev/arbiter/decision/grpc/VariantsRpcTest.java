package dev.arbiter.decision.grpc;

import static dev.arbiter.decision.testing.Refusals.await;
import static dev.arbiter.decision.testing.Refusals.invalid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.config.PolicyConfig;
import dev.arbiter.decision.policy.LivePolicy;
import dev.arbiter.decision.testing.RealDependenciesProfile;
import dev.arbiter.proto.v1.DecisionServiceGrpc.DecisionServiceBlockingStub;
import dev.arbiter.proto.v1.GetParameterSetRequest;
import dev.arbiter.proto.v1.ListVariantsRequest;
import dev.arbiter.proto.v1.ListVariantsResponse;
import dev.arbiter.proto.v1.ParameterSet;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.SetParametersRequest;
import dev.arbiter.proto.v1.SetVariantsRequest;
import dev.arbiter.proto.v1.Variant;
import dev.arbiter.service.RequestRefused;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Variants: replaced as a whole, checked together, assigned by a stable hash of the series id; and every change of
 * the policy reaches a second replica (a second LivePolicy in this JVM, subscribed to the same Redis channel and
 * reading the same PostgreSQL) through the change notice, the periodic re-read being off in tests.
 */
@QuarkusTest
@TestProfile(RealDependenciesProfile.class)
class VariantsRpcTest {

    @GrpcClient("decision")
    DecisionServiceBlockingStub decisions;

    @Inject
    LivePolicy policy;

    @Inject
    PolicyConfig config;

    @Inject
    RedisDataSource redis;

    static final List<String> NAMES = dev.arbiter.engine.features.FeatureSchema.of(dev.arbiter.engine.features.FeatureConfig.defaults()).names();

    static Variant variant(String name, double split, int parameters, int rules) {
        return Variant.newBuilder().setName(name).setSplitFraction(split).setParameterSetVersion(parameters)
                .setRuleSetVersion(rules).setDescription("test").build();
    }

    SetVariantsRequest.Builder set(Variant... variants) {
        return SetVariantsRequest.newBuilder().addAllVariants(List.of(variants)).setAuthor("test").setReason("a/b test");
    }

    @Test
    void variantsShareTheSeriesByAStableHashAndReachASecondReplica() {
        LivePolicy replica = new LivePolicy(config, redis, RealDependenciesProfile.redisPrefix);
        replica.start();
        try {
            ParameterSet staged = decisions.setParameters(SetParametersRequest.newBuilder()
                    .putValues("gate.min_edge", ParameterValue.newBuilder().setDoubleValue(0.08).build())
                    .setStageOnly(true).setAuthor("test").setReason("challenger").build());
            ListVariantsResponse set = decisions.setVariants(set(variant("zeta", 0.2, 0, 0), variant("alpha", 0.3, staged.getVersion(), 0)).build());
            assertEquals(List.of("alpha", "zeta"), set.getVariantsList().stream().map(Variant::getName).toList(), "ordered by name");
            assertEquals(0.5, set.getLiveFraction(), 1e-12);
            assertTrue(set.getVariants(0).getCreatedTsMicros() > 0);
            assertEquals(set, decisions.listVariants(ListVariantsRequest.getDefaultInstance()));

            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < 4000; i++) {
                String series = "series-" + i;
                String v = policy.forSeries(series, "", NAMES).variantName();
                assertEquals(v, policy.forSeries(series, "", NAMES).variantName(), "stable");
                counts.merge(v, 1, Integer::sum);
            }
            assertEquals(0.3, counts.get("alpha") / 4000.0, 0.03);
            assertEquals(0.2, counts.get("zeta") / 4000.0, 0.03);
            assertEquals(0.5, counts.get("live") / 4000.0, 0.03);
            assertEquals(staged.getVersion(), policy.forSeries("any", "alpha", NAMES).parameterSetVersion(), "forced variant");
            int live = decisions.getParameterSet(GetParameterSetRequest.getDefaultInstance()).getVersion();
            assertEquals(live, policy.forSeries("any", "zeta", NAMES).parameterSetVersion(), "version 0 follows the live one");
            assertEquals(live, policy.forSeries("any", "live", NAMES).parameterSetVersion());
            RequestRefused unknown = assertThrows(RequestRefused.class, () -> policy.forSeries("any", "omega", NAMES));
            assertEquals(Status.Code.INVALID_ARGUMENT, unknown.code());
            assertEquals("variant_name", unknown.field());

            // The second replica learns both changes from the notices.
            await("the replica sees the variants", 30, () -> replica.state().variants().size() == 2);
            assertEquals(policy.state(), replica.state());
            ParameterSet next = decisions.setParameters(SetParametersRequest.newBuilder()
                    .putValues("gate.min_edge", ParameterValue.newBuilder().setDoubleValue(0.03).build())
                    .setAuthor("test").setReason("live change").build());
            await("the replica sees the new live parameters", 30, () -> replica.state().parameterSetVersion() == next.getVersion());
            assertEquals(0.03, replica.forSeries("series-1", "live", NAMES).parameters().get("gate.min_edge"), 1e-15);

            decisions.setVariants(set().build());
            await("the replica sees the variants removed", 30, () -> replica.state().variants().isEmpty());
            assertEquals(1.0, decisions.listVariants(ListVariantsRequest.getDefaultInstance()).getLiveFraction());
        } finally {
            replica.stop();
            decisions.setVariants(set().build());
        }
    }

    @Test
    void badVariantsAreRefusedNamingTheField() {
        ListVariantsResponse before = decisions.listVariants(ListVariantsRequest.getDefaultInstance());
        invalid("variants[0].name", () -> decisions.setVariants(set(variant("live", 0.1, 0, 0)).build()));
        invalid("variants[0].name", () -> decisions.setVariants(set(variant("", 0.1, 0, 0)).build()));
        invalid("variants[0].name", () -> decisions.setVariants(set(variant("Has Space", 0.1, 0, 0)).build()));
        invalid("variants[1].name", () -> decisions.setVariants(set(variant("a", 0.1, 0, 0), variant("a", 0.1, 0, 0)).build()));
        invalid("variants[0].split_fraction", () -> decisions.setVariants(set(variant("a", -0.1, 0, 0)).build()));
        invalid("variants[0].split_fraction", () -> decisions.setVariants(set(variant("a", 1.5, 0, 0)).build()));
        invalid("variants[0].split_fraction", () -> decisions.setVariants(set(variant("a", Double.NaN, 0, 0)).build()));
        invalid("variants", () -> decisions.setVariants(set(variant("a", 0.6, 0, 0), variant("b", 0.5, 0, 0)).build()));
        invalid("variants[0].parameter_set_version", () -> decisions.setVariants(set(variant("a", 0.1, -1, 0)).build()));
        invalid("variants[0].rule_set_version", () -> decisions.setVariants(set(variant("a", 0.1, 0, -1)).build()));
        invalid("variants[0].parameter_set_version", () -> decisions.setVariants(set(variant("a", 0.1, 99999, 0)).build()));
        invalid("variants[0].rule_set_version", () -> decisions.setVariants(set(variant("a", 0.1, 0, 99999)).build()));
        invalid("author", () -> decisions.setVariants(set(variant("a", 0.1, 0, 0)).setAuthor("").build()));
        invalid("reason", () -> decisions.setVariants(set(variant("a", 0.1, 0, 0)).setReason("").build()));
        invalid("reason", () -> decisions.setVariants(set(variant("a", 0.1, 0, 0)).setReason("x".repeat(2001)).build()));
        invalid("variants[0].description", () -> decisions.setVariants(set(variant("a", 0.1, 0, 0).toBuilder()
                .setDescription("x".repeat(2001)).build()).build()));
        invalid("variants", () -> {
            SetVariantsRequest.Builder many = set();
            for (int i = 0; i < 21; i++) {
                many.addVariants(variant("v" + i, 0.01, 0, 0));
            }
            decisions.setVariants(many.build());
        });
        assertEquals(before, decisions.listVariants(ListVariantsRequest.getDefaultInstance()), "no refusal changed anything");
    }
}
