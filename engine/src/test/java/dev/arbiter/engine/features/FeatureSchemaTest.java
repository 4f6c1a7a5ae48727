package dev.arbiter.engine.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureSchemaTest {

    @Test
    void defaultNamesInOrder() {
        FeatureSchema s = FeatureSchema.of(FeatureConfig.defaults());
        assertEquals(List.of("sma_5", "sma_10", "sma_20", "sma_50", "ema_12", "ema_26", "vol_10", "vol_20", "vol_50",
                "atr_14", "mom_10", "roc_10", "skew_50", "kurt_50", "efficiency_ratio_14", "vol_cluster_10_50",
                "tod_sin", "tod_cos", "dow_sin", "dow_cos", "drawdown"), s.names());
        assertEquals(21, s.size());
        assertEquals(1, s.version());
        assertEquals(9, s.indexOf("atr_14"));
        assertEquals(-1, s.indexOf("sma_7"));
        assertEquals(FeatureConfig.defaults().asParameters(), s.parameters());
    }

    @Test
    void idIsDeterministicAndFollowsTheConfiguration() {
        FeatureSchema a = FeatureSchema.of(FeatureConfig.defaults());
        FeatureSchema b = FeatureSchema.of(FeatureConfig.builder().build());
        assertEquals(a.id(), b.id());
        assertEquals(a, b);
        assertTrue(a.id().matches("features-v1-[0-9a-f]{8}"), a.id());
        // Pinned: the id is stable across machines and runs; a change here breaks every stored snapshot.
        assertEquals("features-v1-214482ac", a.id());
        assertNotEquals(a.id(), FeatureSchema.of(FeatureConfig.builder().utcOffsetMinutes(60).build()).id());
        assertNotEquals(a.id(), FeatureSchema.of(FeatureConfig.builder().smaWindows(5, 10, 20).build()).id());
    }

    @Test
    void rolesNameWhatEachFeatureMeasuresAndThePolicyFindsItsInputsByRole() {
        FeatureSchema s = FeatureSchema.of(FeatureConfig.defaults());
        assertEquals(s.size(), s.roles().size());
        assertEquals(FeatureRole.MOVING_AVERAGE, s.roles().get(s.indexOf("ema_26")));
        assertEquals(FeatureRole.VOLATILITY, s.roles().get(s.indexOf("vol_50")));
        assertEquals(FeatureRole.TREND_STRENGTH, s.roles().get(s.indexOf("efficiency_ratio_14")));
        assertEquals(FeatureRole.VOLATILITY_REGIME, s.roles().get(s.indexOf("vol_cluster_10_50")));
        assertEquals(FeatureRole.DRAWDOWN, s.roles().get(s.size() - 1));
        assertEquals("vol_20", s.volatilityFeature());
        assertEquals("efficiency_ratio_14", s.trendStrengthFeature());

        FeatureSchema other = FeatureSchema.of(FeatureConfig.builder().volatilityWindows(60, 15, 30).regimeWindow(21).build());
        assertEquals("vol_30", other.volatilityFeature());
        assertEquals("efficiency_ratio_21", other.trendStrengthFeature());
        assertEquals("vol_15", FeatureSchema.of(FeatureConfig.builder().volatilityWindows(30, 15).build()).volatilityFeature());
        assertNull(FeatureSchema.of(FeatureConfig.builder().volatilityWindows().build()).volatilityFeature());
        // roles are derived from the configuration and leave the pinned id alone
        assertEquals("features-v1-214482ac", s.id());
    }
}
