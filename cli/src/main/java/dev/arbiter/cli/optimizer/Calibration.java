package dev.arbiter.cli.optimizer;

import dev.arbiter.proto.v1.CalibrationMethod;

/** {@code --calibration}: how raw scores become probabilities. */
public enum Calibration {
    NONE(CalibrationMethod.CALIBRATION_METHOD_NONE),
    PLATT(CalibrationMethod.CALIBRATION_METHOD_PLATT),
    ISOTONIC(CalibrationMethod.CALIBRATION_METHOD_ISOTONIC);

    final CalibrationMethod proto;

    Calibration(CalibrationMethod proto) {
        this.proto = proto;
    }

    @Override
    public String toString() {
        return name().toLowerCase();
    }
}
