package dev.arbiter.optimizer.dataset;

import dev.arbiter.engine.features.FeatureBatch;
import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.features.FeaturePipeline;
import dev.arbiter.engine.features.FeatureSchema;
import dev.arbiter.optimizer.history.SeriesHistory;

/**
 * The features of every observation of one series, computed by the engine's {@link FeatureBatch}: the very
 * pipeline feature-service runs live, so training sees the doubles serving will see.
 *
 * @param schema         names and parameters of the columns
 * @param values         row-major {@code rows × schema.size()}: row i is the pipeline's output after observation i
 * @param rows           observations
 * @param firstWarmIndex the first row at which every window of the pipeline has filled ({@link FeaturePipeline#warm()}
 *                       after absorbing it); earlier rows hold partial-window values and are not used for training
 */
public record SeriesFeatures(FeatureSchema schema, double[] values, int rows, int firstWarmIndex) {

    /** Runs the pipeline over the whole history (its value column is the close). */
    public static SeriesFeatures compute(FeatureConfig config, SeriesHistory history) {
        return compute(config, history.tsMicros(), history.open(), history.high(), history.low(), history.value(),
                history.volume());
    }

    /** Runs the pipeline over arrays of equal length; absent columns may be null or NaN. */
    public static SeriesFeatures compute(FeatureConfig config, long[] tsMicros, double[] open, double[] high,
                                         double[] low, double[] close, double[] volume) {
        FeaturePipeline pipeline = new FeaturePipeline(config);
        double[] values = FeatureBatch.compute(config, tsMicros, open, high, low, close, volume);
        // warm() turns true once count >= warmUpObservations, and count is i + 1 after row i.
        int firstWarm = pipeline.warmUpObservations() - 1;
        return new SeriesFeatures(pipeline.schema(), values, close.length, firstWarm);
    }

    /** Number of feature columns. */
    public int cols() {
        return schema.size();
    }

    /** True when row {@code i} was computed with every window full. */
    public boolean warm(int i) {
        return i >= firstWarmIndex;
    }
}
