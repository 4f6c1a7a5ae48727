package dev.arbiter.cli.options;

import dev.arbiter.proto.v1.ModelKind;
import dev.arbiter.service.ModelKindNames;

/** The model kinds by their short command-line names. */
public enum ModelKindOption {
    GBT(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES),
    RF(ModelKind.MODEL_KIND_RANDOM_FOREST),
    LOGREG(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION),
    SVM(ModelKind.MODEL_KIND_LINEAR_SVM);

    private final String cliName;
    public final ModelKind proto;

    ModelKindOption(ModelKind proto) {
        this.cliName = ModelKindNames.shortName(proto.name());
        this.proto = proto;
    }

    @Override
    public String toString() {
        return cliName;
    }

    /** The short name of a proto kind, for output. */
    public static String name(ModelKind kind) {
        return ModelKindNames.shortName(kind.name());
    }
}
