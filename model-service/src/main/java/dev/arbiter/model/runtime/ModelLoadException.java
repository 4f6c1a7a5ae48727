package dev.arbiter.model.runtime;

/** The artifact cannot be served; the message says what is wrong with it in plain words. */
public final class ModelLoadException extends Exception {

    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
