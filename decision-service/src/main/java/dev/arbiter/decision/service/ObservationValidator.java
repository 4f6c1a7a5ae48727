package dev.arbiter.decision.service;

import static dev.arbiter.service.Identifiers.requireIdentifier;
import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.decision.config.DecisionConfig;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.service.ObservationTimes;
import dev.arbiter.service.RequestRefused;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * Refuses a bad observation before anything is asked of feature-service, with the same fields and fixes as
 * feature-service's own check, so a bad request is INVALID_ARGUMENT here and never counts against feature-service's
 * circuit breaker. One addition: a value ≤ 0, which the feature pipeline cannot take (it works on log returns).
 */
@ApplicationScoped
public class ObservationValidator {

    private final int maxSeriesIdLength;
    private final Duration maxFutureSkew;

    public ObservationValidator(DecisionConfig config) {
        this.maxSeriesIdLength = config.maxSeriesIdLength();
        this.maxFutureSkew = config.maxFutureSkew();
    }

    public Observation validate(DecideRequest request) {
        if (!request.hasObservation()) {
            throw invalid("observation", "observation is missing; send one observation per request");
        }
        Observation o = request.getObservation();
        requireIdentifier("observation.series_id", o.getSeriesId(), maxSeriesIdLength, "the series this value belongs to");
        if (o.getTsMicros() <= 0) {
            throw invalid("observation.ts_micros", where(o) + "observation.ts_micros is " + o.getTsMicros()
                    + "; send the observation time as positive epoch microseconds (UTC)");
        }
        ObservationTimes.requireNotAhead("observation.ts_micros", o.getTsMicros(), maxFutureSkew, where(o));
        finite(o, "observation.value", true, o.getValue(), false);
        if (o.getValue() <= 0) {
            throw invalid("observation.value", where(o) + "observation.value is " + o.getValue()
                    + "; the features are built on log returns, so send a positive level (a price, an index, a load)");
        }
        finite(o, "observation.open", o.hasOpen(), o.getOpen(), true);
        finite(o, "observation.high", o.hasHigh(), o.getHigh(), true);
        finite(o, "observation.low", o.hasLow(), o.getLow(), true);
        finite(o, "observation.volume", o.hasVolume(), o.getVolume(), true);
        if (o.hasVolume() && o.getVolume() < 0) {
            throw invalid("observation.volume", where(o) + "observation.volume is negative (" + o.getVolume()
                    + "); send a volume ≥ 0 or omit it");
        }
        if (o.hasHigh() && o.hasLow() && o.getHigh() < o.getLow()) {
            throw invalid("observation.high", where(o) + "observation.high (" + o.getHigh() + ") is below observation.low ("
                    + o.getLow() + "); send high ≥ low, or omit both");
        }
        return o;
    }

    private static void finite(Observation o, String field, boolean present, double v, boolean optional) {
        if (present && !Double.isFinite(v)) {
            throw notFinite(o, field, v, optional);
        }
    }

    private static RequestRefused notFinite(Observation o, String field, double v, boolean optional) {
        return invalid(field, where(o) + field + " is " + v + "; send finite numbers" + (optional ? " or omit the field" : ""));
    }

    private static String where(Observation o) {
        return "series \"" + o.getSeriesId() + "\", ts_micros " + o.getTsMicros() + ": ";
    }
}
