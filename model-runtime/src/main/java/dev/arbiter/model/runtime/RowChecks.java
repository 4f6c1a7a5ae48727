package dev.arbiter.model.runtime;

/** Argument checks shared by the runtimes' batch predictions. */
final class RowChecks {

    private RowChecks() {
    }

    static void checkBatch(double[] rows, int n, double[] out, int inputCount) {
        if (n < 0) {
            throw new IllegalArgumentException("n is " + n + "; pass the number of rows");
        }
        if ((long) n * inputCount > rows.length) {
            throw new IllegalArgumentException("rows has " + rows.length + " values; " + n + " rows of " + inputCount
                    + " need " + (long) n * inputCount);
        }
        if (out.length < n) {
            throw new IllegalArgumentException("out has room for " + out.length + " predictions; " + n + " rows need " + n);
        }
    }
}
