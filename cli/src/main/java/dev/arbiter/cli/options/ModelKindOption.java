package dev.arbiter.cli.options;

import dev.arbiter.proto.v1.ModelKind;

/** The model kinds by their short command-line names. */
public enum ModelKindOption {
    GBT("gbt", ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES),
    RF("rf", ModelKind.MODEL_KIND_RANDOM_FOREST),
    LOGREG("logreg", ModelKind.MODEL_KIND_LOGISTIC_REGRESSION),
    SVM("svm", ModelKind.MODEL_KIND_LINEAR_SVM);

    private final String cliName;
    public final ModelKind proto;

    ModelKindOption(String cliName, ModelKind proto) {
        this.cliName = cliName;
        this.proto = proto;
    }

    @Override
    public String toString() {
        return cliName;
    }

    /** The short name of a proto kind, for output. */
    public static String name(ModelKind kind) {
        for (ModelKindOption k : values()) {
            if (k.proto == kind) {
                return k.cliName;
            }
        }
        return kind.name();
    }
}
