package dev.arbiter.model.runtime;

/** How a model artifact's bytes are encoded. */
public enum ArtifactFormat {
    /** An ONNX model (protobuf) with one float input [batch, features]. */
    ONNX,
    /** An XGBoost booster saved as JSON ({@code booster.save_model("m.json")}). */
    XGBOOST_JSON,
    /** An XGBoost booster saved as Universal Binary JSON ({@code booster.save_model("m.ubj")}, the default since 2.1). */
    XGBOOST_UBJ
}
