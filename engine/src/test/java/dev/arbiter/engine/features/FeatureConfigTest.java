package dev.arbiter.engine.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FeatureConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        FeatureConfig c = FeatureConfig.defaults();
        assertArrayEquals(new int[] {5, 10, 20, 50}, c.smaWindows());
        assertArrayEquals(new int[] {12, 26}, c.emaWindows());
        assertArrayEquals(new int[] {10, 20, 50}, c.volatilityWindows());
        assertEquals(14, c.atrWindow());
        assertEquals(10, c.momentumWindow());
        assertEquals(50, c.momentsWindow());
        assertEquals(14, c.regimeWindow());
        assertEquals(10, c.volClusterShortWindow());
        assertEquals(50, c.volClusterLongWindow());
        assertEquals(0, c.utcOffsetMinutes());
        assertEquals(FeatureConfig.builder().build(), c);
    }

    @Test
    void parametersAreOrderedStrings() {
        Map<String, String> p = FeatureConfig.defaults().asParameters();
        assertEquals("5,10,20,50", p.get("sma_windows"));
        assertEquals("12,26", p.get("ema_windows"));
        assertEquals("10,20,50", p.get("volatility_windows"));
        assertEquals("14", p.get("atr_window"));
        assertEquals("0", p.get("utc_offset_minutes"));
        assertEquals("sma_windows", p.keySet().iterator().next());
        assertEquals(10, p.size());
    }

    @Test
    void isImmutable() {
        int[] windows = {3, 4};
        FeatureConfig c = FeatureConfig.builder().smaWindows(windows).build();
        windows[0] = 99;
        c.smaWindows()[1] = 99;
        assertArrayEquals(new int[] {3, 4}, c.smaWindows());
        assertNotEquals(FeatureConfig.defaults(), c);
        assertEquals(c, c.toBuilder().build());
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                bad("smaWindows[1] is 0", b -> b.smaWindows(5, 0)),
                bad("smaWindows repeats window 5", b -> b.smaWindows(5, 10, 5)),
                bad("smaWindows is null", b -> b.smaWindows((int[]) null)),
                bad("emaWindows[0] is -1", b -> b.emaWindows(-1)),
                bad("volatilityWindows[0] is 1", b -> b.volatilityWindows(1)),
                bad("atrWindow is 0", b -> b.atrWindow(0)),
                bad("momentumWindow is 0", b -> b.momentumWindow(0)),
                bad("momentsWindow is 2", b -> b.momentsWindow(2)),
                bad("regimeWindow is 2000000", b -> b.regimeWindow(2_000_000)),
                bad("volClusterShortWindow is 1", b -> b.volClusterShortWindow(1)),
                bad("volClusterLongWindow is 10 but must be greater than volClusterShortWindow (10)",
                        b -> b.volClusterLongWindow(10)),
                bad("utcOffsetMinutes is 1081", b -> b.utcOffsetMinutes(1081)));
    }

    private static Arguments bad(String message, UnaryOperator<FeatureConfig.Builder> change) {
        return Arguments.of(message, change);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void validationNamesTheField(String message, UnaryOperator<FeatureConfig.Builder> change) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> change.apply(FeatureConfig.builder()).build());
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void emptyFamiliesAreAllowed() {
        FeatureConfig c = FeatureConfig.builder().smaWindows().emaWindows().volatilityWindows().build();
        FeaturePipeline p = new FeaturePipeline(c);
        assertEquals(12, p.size());
        double[] out = new double[12];
        for (int i = 0; i < 60; i++) {
            p.update(i, Double.NaN, Double.NaN, Double.NaN, 100 + i, Double.NaN, out, 0);
        }
        assertTrue(p.warm());
    }

    @Test
    void parametersRoundTripAndEveryMistakeIsNamed() {
        FeatureConfig wide = FeatureConfig.builder().volatilityWindows(15, 30, 60).smaWindows().utcOffsetMinutes(-300).build();
        assertEquals(wide, FeatureConfig.fromParameters(wide.asParameters()));
        assertEquals(FeatureConfig.defaults(), FeatureConfig.fromParameters(Map.of()));
        assertEquals(FeatureConfig.builder().atrWindow(21).build(), FeatureConfig.fromParameters(Map.of("atr_window", "21")));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> FeatureConfig.fromParameters(Map.of("vol_windows", "10")));
        assertTrue(unknown.getMessage().contains("vol_windows") && unknown.getMessage().contains("volatility_windows"));
        IllegalArgumentException text = assertThrows(IllegalArgumentException.class,
                () -> FeatureConfig.fromParameters(Map.of("volatility_windows", "10,x")));
        assertTrue(text.getMessage().startsWith("volatility_windows is \"x\""), text.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> FeatureConfig.fromParameters(Map.of("volatility_windows", "1")));
    }
}
