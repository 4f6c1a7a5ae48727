package dev.arbiter.engine.features;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Names and parameters of the features a {@link FeaturePipeline} writes, in output order. Immutable.
 *
 * <p>The order is: {@code sma_<n>} per SMA window, {@code ema_<n>} per EMA window, {@code vol_<n>} per
 * volatility window, {@code atr_<n>}, {@code mom_<n>}, {@code roc_<n>}, {@code skew_<n>}, {@code kurt_<n>},
 * {@code efficiency_ratio_<n>}, {@code vol_cluster_<short>_<long>}, {@code tod_sin}, {@code tod_cos},
 * {@code dow_sin}, {@code dow_cos}, {@code drawdown}. With the defaults that is 21 features.
 *
 * <p>Each feature has a {@link FeatureRole}. Two of them are what the policy reads: {@link #volatilityFeature()}, the
 * volatility of the median volatility window (the lower middle one of an even count: {@code vol_20} of the default
 * 10, 20, 50; {@code vol_30} of 15, 30, 60), and {@link #trendStrengthFeature()}, the efficiency ratio. Roles are
 * derived from the configuration, so they do not enter the id.
 *
 * <p>{@link #id()} is {@code "features-v1-"} followed by the first 8 hex digits of the SHA-256 of the names
 * and parameters, so equal configurations give equal ids on every machine and any change of window gives a
 * new id.
 */
public final class FeatureSchema {

    /** Version of the feature definitions; bump when a definition changes. */
    public static final int VERSION = 1;

    private final List<String> names;
    private final List<FeatureRole> roles;
    private final String volatilityFeature;
    private final String trendStrengthFeature;
    private final Map<String, String> parameters;
    private final Map<String, Integer> index;
    private final int hash32;
    private final String id;

    private FeatureSchema(FeatureConfig config) {
        List<String> n = new ArrayList<>();
        List<FeatureRole> r = new ArrayList<>();
        for (int w : config.smaWindows()) {
            add(n, r, "sma_" + w, FeatureRole.MOVING_AVERAGE);
        }
        for (int w : config.emaWindows()) {
            add(n, r, "ema_" + w, FeatureRole.MOVING_AVERAGE);
        }
        int[] volatility = config.volatilityWindows();
        for (int w : volatility) {
            add(n, r, "vol_" + w, FeatureRole.VOLATILITY);
        }
        add(n, r, "atr_" + config.atrWindow(), FeatureRole.RANGE);
        add(n, r, "mom_" + config.momentumWindow(), FeatureRole.MOMENTUM);
        add(n, r, "roc_" + config.momentumWindow(), FeatureRole.MOMENTUM);
        add(n, r, "skew_" + config.momentsWindow(), FeatureRole.DISTRIBUTION);
        add(n, r, "kurt_" + config.momentsWindow(), FeatureRole.DISTRIBUTION);
        add(n, r, "efficiency_ratio_" + config.regimeWindow(), FeatureRole.TREND_STRENGTH);
        add(n, r, "vol_cluster_" + config.volClusterShortWindow() + "_" + config.volClusterLongWindow(), FeatureRole.VOLATILITY_REGIME);
        add(n, r, "tod_sin", FeatureRole.CALENDAR);
        add(n, r, "tod_cos", FeatureRole.CALENDAR);
        add(n, r, "dow_sin", FeatureRole.CALENDAR);
        add(n, r, "dow_cos", FeatureRole.CALENDAR);
        add(n, r, "drawdown", FeatureRole.DRAWDOWN);
        this.roles = Collections.unmodifiableList(r);
        if (volatility.length == 0) {
            this.volatilityFeature = null;
        } else {
            int[] sorted = volatility.clone();
            Arrays.sort(sorted);
            this.volatilityFeature = "vol_" + sorted[(sorted.length - 1) / 2];
        }
        this.trendStrengthFeature = "efficiency_ratio_" + config.regimeWindow();
        this.names = Collections.unmodifiableList(n);
        this.parameters = config.asParameters();
        Map<String, Integer> idx = new HashMap<>();
        for (int i = 0; i < n.size(); i++) {
            idx.put(n.get(i), i);
        }
        this.index = idx;
        this.hash32 = stableHash(names, parameters);
        this.id = String.format("features-v%d-%08x", VERSION, hash32);
    }

    private static void add(List<String> names, List<FeatureRole> roles, String name, FeatureRole role) {
        names.add(name);
        roles.add(role);
    }

    /** The schema of the features a pipeline with this configuration writes. */
    public static FeatureSchema of(FeatureConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config is null; pass FeatureConfig.defaults() or a built config");
        }
        return new FeatureSchema(config);
    }

    /** Deterministic id, e.g. {@code features-v1-1a2b3c4d}. */
    public String id() {
        return id;
    }

    /** Version of the feature definitions (1). */
    public int version() {
        return VERSION;
    }

    /** Feature names in output order. */
    public List<String> names() {
        return names;
    }

    /** Roles of the features, in output order (parallel to {@link #names()}). */
    public List<FeatureRole> roles() {
        return roles;
    }

    /**
     * The volatility the policy reads: {@code vol_<n>} of the median volatility window (the lower middle one of an even
     * count); null when the configuration has no volatility window.
     */
    public String volatilityFeature() {
        return volatilityFeature;
    }

    /** The trend strength the policy reads: {@code efficiency_ratio_<n>}. */
    public String trendStrengthFeature() {
        return trendStrengthFeature;
    }

    /** Number of features. */
    public int size() {
        return names.size();
    }

    /** Position of a feature in the output, or -1 if absent. */
    public int indexOf(String name) {
        Integer i = index.get(name);
        return i == null ? -1 : i;
    }

    /** The configuration as string parameters (see {@link FeatureConfig#asParameters()}). */
    public Map<String, String> parameters() {
        return parameters;
    }

    /** The 32 bits of the id, stored in state headers. */
    int hash32() {
        return hash32;
    }

    private static int stableHash(List<String> names, Map<String, String> parameters) {
        StringBuilder canonical = new StringBuilder("arbiter-features;version=").append(VERSION).append(";names=");
        canonical.append(String.join(",", names)).append(";parameters=");
        parameters.forEach((k, v) -> canonical.append(k).append('=').append(v).append(';'));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return ((d[0] & 0xff) << 24) | ((d[1] & 0xff) << 16) | ((d[2] & 0xff) << 8) | (d[3] & 0xff);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof FeatureSchema)) {
            return false;
        }
        FeatureSchema s = (FeatureSchema) o;
        return id.equals(s.id) && names.equals(s.names) && parameters.equals(s.parameters);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return id + names;
    }
}
