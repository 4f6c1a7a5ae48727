package dev.arbiter.decision.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.arbiter.proto.v1.FeatureInfo;
import dev.arbiter.proto.v1.FeatureRole;
import dev.arbiter.proto.v1.FeatureSchema;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The policy's volatility and trend strength are found by role, whatever the windows; an override still wins. */
class FeatureSchemasTest {

    static final List<String> WIDE = List.of("sma_5", "vol_15", "vol_30", "vol_60", "atr_14", "efficiency_ratio_21", "drawdown");

    @Test
    void thePolicyInputsAreTheFeaturesMarkedForItsRoles() {
        FeatureSchema.Builder proto = FeatureSchema.newBuilder().setSchemaId("wide").addAllNames(WIDE);
        for (String name : WIDE) {
            FeatureRole role = name.startsWith("vol_") ? FeatureRole.FEATURE_ROLE_VOLATILITY
                    : name.startsWith("efficiency") ? FeatureRole.FEATURE_ROLE_TREND_STRENGTH : FeatureRole.FEATURE_ROLE_MOVING_AVERAGE;
            // the longest volatility window is marked here, to show the mark decides, not a rule over the names
            proto.addFeatures(FeatureInfo.newBuilder().setName(name).setRole(role)
                    .setPolicyInput(name.equals("vol_60") || name.equals("efficiency_ratio_21")));
        }
        FeatureSchemas.Schema s = FeatureSchemas.Schema.of(proto.build());
        assertEquals("vol_60", s.volatilityFeature());
        assertEquals("efficiency_ratio_21", s.trendFeature());
        assertEquals(3, s.volatilityIndex(Optional.empty()));
        assertEquals(5, s.trendIndex(Optional.empty()));
        assertEquals(1, s.volatilityIndex(Optional.of("vol_15")), "arbiter.decision.volatility-feature overrides the role");
        assertEquals(-1, s.trendIndex(Optional.of("efficiency_ratio_14")), "an override the schema lacks finds nothing");
    }

    @Test
    void aSchemaWithoutRolesFallsBackToTheEnginesRuleOverTheNames() {
        // a feature-service from before roles were served, or a schema stored then: the median volatility window
        FeatureSchemas.Schema s = FeatureSchemas.Schema.of(FeatureSchema.newBuilder().setSchemaId("old").addAllNames(WIDE).build());
        assertEquals("vol_30", s.volatilityFeature());
        assertEquals("efficiency_ratio_21", s.trendFeature());
        assertEquals("vol_15", FeatureSchemas.Schema.byNames("even", List.of("vol_30", "vol_15")).volatilityFeature());
        FeatureSchemas.Schema none = FeatureSchemas.Schema.byNames("none", List.of("sma_5"));
        assertNull(none.volatilityFeature());
        assertEquals(-1, none.volatilityIndex(Optional.empty()));
        assertEquals(-1, none.trendIndex(Optional.empty()));
    }
}
