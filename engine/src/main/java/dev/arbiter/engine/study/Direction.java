package dev.arbiter.engine.study;

/** Whether an objective is to be minimised or maximised. */
public enum Direction {
    MINIMIZE,
    MAXIMIZE;

    /** The factor that turns a value of this direction into a loss (smaller is better). */
    public double lossSign() {
        return this == MINIMIZE ? 1.0 : -1.0;
    }
}
