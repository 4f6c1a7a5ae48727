package dev.arbiter.optimizer.dataset;

import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.features.FeatureSchema;
import dev.arbiter.optimizer.history.SeriesHistory;
import java.util.ArrayList;
import java.util.List;

/**
 * Labelled examples: one row per observation that is warm (every feature window full) and has a label. Rows
 * keep time order within each series, series follow one another. Arrays are shared, not copied: treat them as
 * read-only.
 *
 * @param schema             the engine's schema of the columns: their names, roles and id (what model-service checks inputs against)
 * @param seriesIds          the series, indexed by {@code seriesOrdinals}
 * @param horizon            observations the labels look ahead (the embargo a time split needs)
 * @param rows               examples
 * @param cols               features per example
 * @param x                  row-major {@code rows × cols} features
 * @param labels             1 positive, 0 negative
 * @param forwardReturns     realised {@code value[i + horizon] / value[i] - 1} of each row's observation
 * @param tsMicros           timestamp of each row's observation
 * @param observationIndexes 0-based index of each row's observation in its series' history
 * @param seriesOrdinals     each row's series, an index into {@code seriesIds}
 * @param counts             what was left out and why
 */
public record Dataset(FeatureSchema schema, List<String> seriesIds, int horizon,
                      int rows, int cols, double[] x, int[] labels, double[] forwardReturns, long[] tsMicros,
                      int[] observationIndexes, int[] seriesOrdinals, Counts counts) {

    /** The engine's schema id of the columns (what model-service checks inputs against). */
    public String featureSchemaId() {
        return schema.id();
    }

    /** The column names, in order. */
    public List<String> featureNames() {
        return schema.names();
    }

    /**
     * Observations of the source series and why some are not rows.
     *
     * @param observations all observations read
     * @param unwarm       observations before the feature pipeline was warm
     * @param beyondEnd    warm observations whose label horizon runs past the data
     * @param beforeWindow warm observations before the label's trailing window is full
     * @param tiesDropped  warm observations that were dropped ties
     */
    public record Counts(long observations, long unwarm, long beyondEnd, long beforeWindow, long tiesDropped) {
        Counts plus(Counts o) {
            return new Counts(observations + o.observations, unwarm + o.unwarm, beyondEnd + o.beyondEnd,
                    beforeWindow + o.beforeWindow, tiesDropped + o.tiesDropped);
        }
    }

    /** Features and labels of one series' history. */
    public static Dataset build(SeriesHistory history, FeatureConfig config, LabelDefinition label) {
        return build(history.seriesId(), SeriesFeatures.compute(config, history), history.tsMicros(), history.value(),
                label);
    }

    /**
     * Rows from precomputed features: observation {@code i} becomes a row when it is warm and labelled.
     *
     * @param values the series' values (closes), the same observations the features were computed from
     */
    public static Dataset build(String seriesId, SeriesFeatures features, long[] tsMicros, double[] values,
                                LabelDefinition label) {
        int n = features.rows();
        if (tsMicros.length != n || values.length != n) {
            throw new IllegalArgumentException("features have " + n + " rows but tsMicros has " + tsMicros.length
                    + " and values " + values.length + "; pass the arrays the features were computed from");
        }
        Labeler.Labels labels = Labeler.label(values, label);
        int cols = features.cols();
        int firstWarm = Math.min(features.firstWarmIndex(), n);
        int rows = 0;
        long beyondEnd = 0;
        long beforeWindow = 0;
        long ties = 0;
        int labelledEnd = n - labels.beyondEnd();
        int windowStart = label instanceof LabelDefinition.ThresholdEvent t ? t.trailingWindow() - 1 : 0;
        for (int i = firstWarm; i < n; i++) {
            if (labels.label()[i] != Labeler.UNLABELLED) {
                rows++;
            } else if (i >= labelledEnd) {
                beyondEnd++;
            } else if (i < windowStart) {
                beforeWindow++;
            } else {
                ties++;
            }
        }
        double[] x = new double[rows * cols];
        int[] y = new int[rows];
        double[] fwd = new double[rows];
        long[] ts = new long[rows];
        int[] index = new int[rows];
        int r = 0;
        for (int i = firstWarm; i < n; i++) {
            if (labels.label()[i] == Labeler.UNLABELLED) {
                continue;
            }
            System.arraycopy(features.values(), i * cols, x, r * cols, cols);
            y[r] = labels.label()[i];
            fwd[r] = labels.forwardReturn()[i];
            ts[r] = tsMicros[i];
            index[r] = i;
            r++;
        }
        Counts counts = new Counts(n, firstWarm, beyondEnd, beforeWindow, ties);
        return new Dataset(features.schema(), List.of(seriesId), label.horizon(),
                rows, cols, x, y, fwd, ts, index, new int[rows], counts);
    }

    /** The rows of several datasets of the same schema and label, one series after another. */
    public static Dataset concat(List<Dataset> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("parts is empty; pass at least one dataset");
        }
        Dataset first = parts.get(0);
        int rows = 0;
        List<String> series = new ArrayList<>();
        Counts counts = new Counts(0, 0, 0, 0, 0);
        for (Dataset d : parts) {
            if (!d.featureSchemaId().equals(first.featureSchemaId()) || d.horizon != first.horizon) {
                throw new IllegalArgumentException("datasets differ in feature schema or horizon ("
                        + d.featureSchemaId() + "/" + d.horizon + " vs " + first.featureSchemaId() + "/" + first.horizon
                        + "); build them with one FeatureConfig and one LabelDefinition");
            }
            rows += d.rows;
            series.addAll(d.seriesIds);
            counts = counts.plus(d.counts);
        }
        int cols = first.cols;
        double[] x = new double[rows * cols];
        int[] y = new int[rows];
        double[] fwd = new double[rows];
        long[] ts = new long[rows];
        int[] index = new int[rows];
        int[] ordinal = new int[rows];
        int r = 0;
        int seriesOffset = 0;
        for (Dataset d : parts) {
            System.arraycopy(d.x, 0, x, r * cols, d.rows * cols);
            System.arraycopy(d.labels, 0, y, r, d.rows);
            System.arraycopy(d.forwardReturns, 0, fwd, r, d.rows);
            System.arraycopy(d.tsMicros, 0, ts, r, d.rows);
            System.arraycopy(d.observationIndexes, 0, index, r, d.rows);
            for (int i = 0; i < d.rows; i++) {
                ordinal[r + i] = seriesOffset + d.seriesOrdinals[i];
            }
            r += d.rows;
            seriesOffset += d.seriesIds.size();
        }
        return new Dataset(first.schema, List.copyOf(series), first.horizon, rows, cols,
                x, y, fwd, ts, index, ordinal, counts);
    }

    /** The given rows (in the order given), with the same counts. */
    public Dataset select(int[] which) {
        double[] sx = new double[which.length * cols];
        int[] sy = new int[which.length];
        double[] sf = new double[which.length];
        long[] st = new long[which.length];
        int[] si = new int[which.length];
        int[] so = new int[which.length];
        for (int k = 0; k < which.length; k++) {
            int r = which[k];
            System.arraycopy(x, r * cols, sx, k * cols, cols);
            sy[k] = labels[r];
            sf[k] = forwardReturns[r];
            st[k] = tsMicros[r];
            si[k] = observationIndexes[r];
            so[k] = seriesOrdinals[r];
        }
        return new Dataset(schema, seriesIds, horizon, which.length, cols, sx, sy, sf, st, si,
                so, counts);
    }

    /** Share of positive labels; NaN without rows. */
    public double positiveRate() {
        if (rows == 0) {
            return Double.NaN;
        }
        long positives = 0;
        for (int y : labels) {
            positives += y;
        }
        return positives / (double) rows;
    }
}
