package dev.arbiter.optimizer.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** A model-service call that failed: which call, and the status it ended with (UNKNOWN when it never got one). */
public class ModelServiceFailure extends RuntimeException {

    private final Status.Code code;

    public ModelServiceFailure(String call, StatusRuntimeException cause) {
        super(call + " failed with " + cause.getStatus().getCode()
                + (cause.getStatus().getDescription() == null ? "" : ": " + cause.getStatus().getDescription())
                + (cause.getStatus().getCode() == Status.Code.UNAVAILABLE
                        || cause.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED
                        ? " (is model-service running at quarkus.grpc.clients.models? run the job again)" : ""),
                cause);
        this.code = cause.getStatus().getCode();
    }

    public ModelServiceFailure(String message) {
        super(message);
        this.code = Status.Code.UNKNOWN;
    }

    /** The status the call ended with. */
    public Status.Code code() {
        return code;
    }
}
