package dev.arbiter.model.runtime;

/**
 * The artifact cannot be served; the message says what is wrong with it in plain words. {@link #setting()} names the
 * metadata setting at fault when it is one of them rather than the bytes ({@code onnx_output_name},
 * {@code onnx_positive_class_index}), or is null.
 */
public final class ModelLoadException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String setting;

    public ModelLoadException(String message) {
        this(null, message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
        this.setting = null;
    }

    /** A failure caused by the metadata setting {@code setting} (its field name in the contract). */
    public ModelLoadException(String setting, String message) {
        super(message);
        this.setting = setting;
    }

    /** The metadata setting at fault, as named in the contract, or null when it is the artifact itself. */
    public String setting() {
        return setting;
    }
}
