package dev.arbiter.optimizer.dataset;

import java.util.Arrays;

/**
 * Splits a dataset in time: the latest share of rows is validation, the rest training, with an embargo of the
 * label horizon between them so that no training label reads a value the validation period also uses.
 *
 * @param train               training rows (time order kept)
 * @param validation          validation rows (time order kept)
 * @param cutoffTsMicros      the first validation timestamp: rows at or after it are validation
 * @param embargoed           rows left out between the two because their label window reaches the validation period
 */
public record TimeSplit(Dataset train, Dataset validation, long cutoffTsMicros, int embargoed) {

    /**
     * Holds out the latest {@code validationFraction} of the rows (pooled over series by timestamp). In each series,
     * a row at observation index {@code i} trains only when {@code i + horizon} is before that series' first
     * validation observation.
     *
     * @throws IllegalArgumentException for a fraction outside (0, 1) or a split that leaves either side empty
     */
    public static TimeSplit latest(Dataset data, double validationFraction) {
        if (!(validationFraction > 0.0 && validationFraction < 1.0)) {
            throw new IllegalArgumentException("validationFraction is " + validationFraction + "; pass a number in (0, 1)");
        }
        if (data.rows() < 2) {
            throw new IllegalArgumentException("the dataset has " + data.rows() + " rows; a split needs at least 2");
        }
        long[] sorted = data.tsMicros().clone();
        Arrays.sort(sorted);
        int validationRows = (int) Math.max(1, Math.round(validationFraction * data.rows()));
        long cutoff = sorted[Math.max(1, data.rows() - validationRows)];
        int seriesCount = data.seriesIds().size();
        int[] firstValidationIndex = new int[seriesCount];
        Arrays.fill(firstValidationIndex, Integer.MAX_VALUE);
        for (int r = 0; r < data.rows(); r++) {
            if (data.tsMicros()[r] >= cutoff) {
                int s = data.seriesOrdinals()[r];
                firstValidationIndex[s] = Math.min(firstValidationIndex[s], data.observationIndexes()[r]);
            }
        }
        int[] train = new int[data.rows()];
        int[] validation = new int[data.rows()];
        int t = 0;
        int v = 0;
        int embargoed = 0;
        for (int r = 0; r < data.rows(); r++) {
            if (data.tsMicros()[r] >= cutoff) {
                validation[v++] = r;
            } else if ((long) data.observationIndexes()[r] + data.horizon()
                    < firstValidationIndex[data.seriesOrdinals()[r]]) {
                train[t++] = r;
            } else {
                embargoed++;
            }
        }
        if (t == 0 || v == 0) {
            throw new IllegalArgumentException("splitting " + data.rows() + " rows at validation fraction "
                    + validationFraction + " with an embargo of " + data.horizon() + " leaves " + t
                    + " training and " + v + " validation rows; use more history or a shorter horizon");
        }
        return new TimeSplit(data.select(Arrays.copyOf(train, t)), data.select(Arrays.copyOf(validation, v)), cutoff,
                embargoed);
    }
}
