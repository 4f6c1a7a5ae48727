package dev.arbiter.service;

import java.util.Map;

/**
 * The short names of the model kinds (arbiter.v1.ModelKind), the one table behind the CLI's {@code --member gbt}
 * and the services' progress lines: {@code gbt}, {@code rf}, {@code logreg}, {@code svm}. Keyed by the enum
 * constant's name, so that this plain-Java module needs no generated classes.
 */
public final class ModelKindNames {

    private static final Map<String, String> SHORT = Map.of(
            "MODEL_KIND_GRADIENT_BOOSTED_TREES", "gbt",
            "MODEL_KIND_RANDOM_FOREST", "rf",
            "MODEL_KIND_LOGISTIC_REGRESSION", "logreg",
            "MODEL_KIND_LINEAR_SVM", "svm");

    private ModelKindNames() {
    }

    /** The short name of a ModelKind constant (e.g. "MODEL_KIND_LOGISTIC_REGRESSION" → "logreg"); others as given. */
    public static String shortName(String kindConstant) {
        return SHORT.getOrDefault(kindConstant, kindConstant);
    }
}
