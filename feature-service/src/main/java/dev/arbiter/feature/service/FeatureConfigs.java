package dev.arbiter.feature.service;

import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.feature.config.FeatureServiceConfig;
import java.util.List;

/** Maps the service's configuration onto the engine's {@link FeatureConfig}. */
final class FeatureConfigs {

    private FeatureConfigs() {}

    static FeatureConfig from(FeatureServiceConfig.Windows w) {
        return FeatureConfig.builder()
                .smaWindows(ints(w.sma()))
                .emaWindows(ints(w.ema()))
                .volatilityWindows(ints(w.volatility()))
                .atrWindow(w.atr())
                .momentumWindow(w.momentum())
                .momentsWindow(w.moments())
                .regimeWindow(w.regime())
                .volClusterShortWindow(w.volClusterShort())
                .volClusterLongWindow(w.volClusterLong())
                .utcOffsetMinutes(w.utcOffsetMinutes())
                .build();
    }

    private static int[] ints(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }
}
