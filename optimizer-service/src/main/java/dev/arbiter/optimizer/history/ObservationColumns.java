package dev.arbiter.optimizer.history;

import java.util.Arrays;

/** Growable columns of observations plus the CSV line each came from; absent values are NaN. */
final class ObservationColumns {

    long[] ts;
    double[] value;
    double[] open;
    double[] high;
    double[] low;
    double[] volume;
    long[] line;
    int size;

    ObservationColumns(int capacity) {
        int c = Math.max(capacity, 16);
        ts = new long[c];
        value = new double[c];
        open = new double[c];
        high = new double[c];
        low = new double[c];
        volume = new double[c];
        line = new long[c];
    }

    static ObservationColumns of(SeriesHistory h) {
        ObservationColumns c = new ObservationColumns(h.size());
        for (int i = 0; i < h.size(); i++) {
            c.add(h.tsMicros()[i], h.value()[i], h.open()[i], h.high()[i], h.low()[i], h.volume()[i], 0);
        }
        return c;
    }

    void add(long t, double v, double o, double h, double l, double vol, long lineNumber) {
        if (size == ts.length) {
            int c = ts.length * 2;
            ts = Arrays.copyOf(ts, c);
            value = Arrays.copyOf(value, c);
            open = Arrays.copyOf(open, c);
            high = Arrays.copyOf(high, c);
            low = Arrays.copyOf(low, c);
            volume = Arrays.copyOf(volume, c);
            line = Arrays.copyOf(line, c);
        }
        ts[size] = t;
        value[size] = v;
        open[size] = o;
        high[size] = h;
        low[size] = l;
        volume[size] = vol;
        line[size] = lineNumber;
        size++;
    }

    void addFrom(ObservationColumns o, int i) {
        add(o.ts[i], o.value[i], o.open[i], o.high[i], o.low[i], o.volume[i], o.line[i]);
    }

    /** Row indexes in time order; rows at the same time keep their input order (a stable merge sort). */
    int[] timeOrder() {
        int[] idx = new int[size];
        for (int i = 0; i < size; i++) {
            idx[i] = i;
        }
        boolean sorted = true;
        for (int i = 1; i < size && sorted; i++) {
            sorted = ts[i - 1] <= ts[i];
        }
        if (!sorted) {
            mergeSort(idx, new int[size], 0, size);
        }
        return idx;
    }

    private void mergeSort(int[] a, int[] tmp, int from, int to) {
        if (to - from < 2) {
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(a, tmp, from, mid);
        mergeSort(a, tmp, mid, to);
        if (ts[a[mid - 1]] <= ts[a[mid]]) {
            return;
        }
        System.arraycopy(a, from, tmp, from, to - from);
        int i = from;
        int j = mid;
        for (int k = from; k < to; k++) {
            if (j >= to || (i < mid && ts[tmp[i]] <= ts[tmp[j]])) {
                a[k] = tmp[i++];
            } else {
                a[k] = tmp[j++];
            }
        }
    }

    SeriesHistory toHistory(String seriesId) {
        return new SeriesHistory(seriesId, Arrays.copyOf(ts, size), Arrays.copyOf(value, size), Arrays.copyOf(open, size),
                Arrays.copyOf(high, size), Arrays.copyOf(low, size), Arrays.copyOf(volume, size));
    }
}
