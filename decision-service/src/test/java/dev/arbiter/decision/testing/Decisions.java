package dev.arbiter.decision.testing;

import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionVersions;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.FeatureSchema;
import dev.arbiter.proto.v1.GateResult;
import java.time.Instant;
import java.util.UUID;

/** Decisions as the decide path logs them, built directly, so the log, outcome and performance tests need no dependencies. */
public final class Decisions {

    private Decisions() {}

    /** The engine's default feature schema as feature-service serves it. */
    public static FeatureSchema featureSchema() {
        dev.arbiter.engine.features.FeatureSchema engine = dev.arbiter.engine.features.FeatureSchema.of(FeatureConfig.defaults());
        return FeatureSchema.newBuilder()
                .setSchemaId(engine.id())
                .setVersion(engine.version())
                .addAllNames(engine.names())
                .putAllParameters(engine.parameters())
                .build();
    }

    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** A decision with a prediction: LONG/SHORT with {@code size}, or FLAT (size 0); gates given as name=passed pairs. */
    public static Decision.Builder decision(String seriesId, long tsMicros, Direction direction, double size, double probability,
                                            String variant, Object... gates) {
        Decision.Builder b = Decision.newBuilder()
                .setDecisionId(UUID.randomUUID().toString())
                .setSeriesId(seriesId)
                .setTsMicros(tsMicros)
                .setDirection(direction)
                .setSize(direction == Direction.DIRECTION_FLAT ? 0 : size)
                .setConfidence(0.5)
                .setEnsembleProbability(probability)
                .setAgreement(1)
                .setPredictionId(UUID.randomUUID().toString())
                .setDecidedTsMicros(nowMicros())
                .setVersions(DecisionVersions.newBuilder().setVariantName(variant).setParameterSetVersion(1).setRuleSetVersion(1));
        for (int i = 0; i < gates.length; i += 2) {
            b.addGates(GateResult.newBuilder().setName((String) gates[i]).setPassed((Boolean) gates[i + 1]).setReason("test"));
        }
        return b;
    }

    /** A degraded FLAT decision without a prediction. */
    public static Decision.Builder degraded(String seriesId, long tsMicros) {
        return Decision.newBuilder()
                .setDecisionId(UUID.randomUUID().toString())
                .setSeriesId(seriesId)
                .setTsMicros(tsMicros)
                .setDirection(Direction.DIRECTION_FLAT)
                .setDegraded(true)
                .setDegradedReason("model-service: unavailable")
                .setDecidedTsMicros(nowMicros())
                .setVersions(DecisionVersions.newBuilder().setVariantName("live"));
    }
}
