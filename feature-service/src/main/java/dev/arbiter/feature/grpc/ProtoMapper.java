package dev.arbiter.feature.grpc;

import dev.arbiter.engine.features.FeatureSchema;
import dev.arbiter.feature.service.FeatureSnapshot;
import dev.arbiter.feature.service.IngestResult;
import dev.arbiter.feature.service.Observation;
import dev.arbiter.service.ObservationRules;
import dev.arbiter.proto.v1.FeatureInfo;
import dev.arbiter.proto.v1.FeatureVector;
import dev.arbiter.proto.v1.IngestOutcome;
import dev.arbiter.proto.v1.IngestRequest;
import dev.arbiter.proto.v1.IngestResponse;
import dev.arbiter.proto.v1.Problem;
import dev.arbiter.service.RequestRefused;
import io.grpc.Status;

/** Proto ⇄ domain for feature-service, and a refusal as a stream's per-item Problem. Nothing else. */
final class ProtoMapper {

    private ProtoMapper() {}

    static Observation observation(IngestRequest request) {
        if (!request.hasObservation()) {
            throw new RequestRefused(
                    Status.Code.INVALID_ARGUMENT, "observation", "observation is missing; send one observation per request");
        }
        dev.arbiter.proto.v1.Observation p = request.getObservation();
        return new Observation(
                p.getSeriesId(),
                p.getTsMicros(),
                optional(p, "observation.open", p.hasOpen(), p.getOpen()),
                optional(p, "observation.high", p.hasHigh(), p.getHigh()),
                optional(p, "observation.low", p.hasLow(), p.getLow()),
                p.getValue(),
                optional(p, "observation.volume", p.hasVolume(), p.getVolume()));
    }

    /** Absent becomes NaN for the engine; a NaN the client actually sent is refused here, where presence is known. */
    private static double optional(dev.arbiter.proto.v1.Observation p, String field, boolean present, double value) {
        return ObservationRules.optional(p.getSeriesId(), p.getTsMicros(), field, present, value);
    }

    static FeatureVector vector(FeatureSnapshot s) {
        FeatureVector.Builder b = FeatureVector.newBuilder()
                .setSeriesId(s.seriesId())
                .setTsMicros(s.tsMicros())
                .setSchemaId(s.schemaId())
                .setWarm(s.warm())
                .setObservationCount(s.observationCount())
                .setGapObservationsToCover(s.gapToCover());
        for (double v : s.values()) {
            b.addValues(v);
        }
        return b.build();
    }

    static IngestResponse response(IngestResult r) {
        return IngestResponse.newBuilder().setFeatures(vector(r.features())).setOutcome(outcome(r.outcome())).build();
    }

    static IngestResponse rejected(RequestRefused e) {
        return IngestResponse.newBuilder()
                .setOutcome(IngestOutcome.INGEST_OUTCOME_REJECTED)
                .setProblem(Problem.newBuilder()
                        .setCode(e.code().value())
                        .setField(e.field())
                        .setMessage(e.getMessage()))
                .build();
    }

    static dev.arbiter.proto.v1.FeatureSchema schema(FeatureSchema s) {
        dev.arbiter.proto.v1.FeatureSchema.Builder b = dev.arbiter.proto.v1.FeatureSchema.newBuilder()
                .setSchemaId(s.id())
                .setVersion(s.version())
                .addAllNames(s.names())
                .putAllParameters(s.parameters());
        for (int i = 0; i < s.size(); i++) {
            String name = s.names().get(i);
            b.addFeatures(FeatureInfo.newBuilder()
                    .setName(name)
                    // the contract's FeatureRole lists the engine's roles in the same order, after UNSPECIFIED
                    .setRoleValue(s.roles().get(i).ordinal() + 1)
                    .setPolicyInput(name.equals(s.volatilityFeature()) || name.equals(s.trendStrengthFeature())));
        }
        return b.build();
    }

    private static IngestOutcome outcome(IngestResult.Outcome o) {
        return switch (o) {
            case ACCEPTED -> IngestOutcome.INGEST_OUTCOME_ACCEPTED;
            case DUPLICATE -> IngestOutcome.INGEST_OUTCOME_DUPLICATE;
            case DROPPED_OUT_OF_ORDER -> IngestOutcome.INGEST_OUTCOME_DROPPED_OUT_OF_ORDER;
        };
    }
}
