package dev.arbiter.feature.service;

import static dev.arbiter.service.Identifiers.requireIdentifier;
import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.feature.config.FeatureServiceConfig;
import dev.arbiter.service.ObservationTimes;
import dev.arbiter.service.RequestRefused;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/** Refuses observations that would corrupt a series, each with the field and the fix. */
@ApplicationScoped
public class ObservationValidator {

    private final int maxSeriesIdLength;
    private final Duration maxFutureSkew;

    public ObservationValidator(FeatureServiceConfig config) {
        this.maxSeriesIdLength = config.maxSeriesIdLength();
        this.maxFutureSkew = config.maxFutureSkew();
    }

    public void validate(Observation o) {
        requireIdentifier("observation.series_id", o.seriesId(), maxSeriesIdLength, "the series this value belongs to");
        if (o.tsMicros() <= 0) {
            throw invalid(
                    "observation.ts_micros",
                    where(o) + "observation.ts_micros is " + o.tsMicros()
                            + "; send the observation time as positive epoch microseconds (UTC)");
        }
        ObservationTimes.requireNotAhead("observation.ts_micros", o.tsMicros(), maxFutureSkew, where(o));
        finite(o, "observation.value", o.close(), false);
        if (o.close() <= 0) {
            // features are built on log returns, which need positive values
            throw invalid("observation.value", where(o) + "observation.value is " + o.close()
                    + "; features use log returns, so send positive values (shift or rescale a series that can be 0 or negative)");
        }
        finite(o, "observation.open", o.open(), true);
        finite(o, "observation.high", o.high(), true);
        finite(o, "observation.low", o.low(), true);
        finite(o, "observation.volume", o.volume(), true);
        if (o.volume() < 0) {
            throw invalid("observation.volume", where(o) + "observation.volume is negative (" + o.volume() + "); send a volume ≥ 0 or omit it");
        }
        if (o.high() < o.low()) {
            throw invalid(
                    "observation.high",
                    where(o) + "observation.high (" + o.high() + ") is below observation.low (" + o.low()
                            + "); send high ≥ low, or omit both");
        }
    }

    /**
     * Here an optional field is absent when NaN; a field the client sent as NaN is caught by the adapter
     * with {@link #notFinite}, since only it can see presence.
     */
    private static void finite(Observation o, String field, double v, boolean optional) {
        if (optional && Double.isNaN(v)) {
            return;
        }
        if (!Double.isFinite(v)) {
            throw notFinite(o.seriesId(), o.tsMicros(), field, v, optional);
        }
    }

    public static RequestRefused notFinite(String seriesId, long tsMicros, String field, double v, boolean optional) {
        return invalid(
                field,
                where(seriesId, tsMicros) + field + " is " + v + "; send finite numbers" + (optional ? " or omit the field" : ""));
    }

    private static String where(Observation o) {
        return where(o.seriesId(), o.tsMicros());
    }

    private static String where(String seriesId, long tsMicros) {
        return "series \"" + seriesId + "\", ts_micros " + tsMicros + ": ";
    }
}
