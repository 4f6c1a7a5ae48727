package dev.arbiter.service;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A request a service refuses: the gRPC status code, the offending field (e.g. "observation.value")
 * and a message that says what was wrong and how to fix it. Services throw it from their domain code;
 * their gRPC adapters turn it into a status for a whole call or into a per-item Problem in a stream.
 */
public class RequestRefused extends RuntimeException {

    private final Status.Code code;
    private final String field;

    public RequestRefused(Status.Code code, String field, String message) {
        super(message, null, false, false);
        this.code = code;
        this.field = field;
    }

    public Status.Code code() {
        return code;
    }

    public String field() {
        return field;
    }

    public StatusRuntimeException asStatus() {
        return Status.fromCode(code).withDescription(getMessage()).asRuntimeException();
    }

    public static RequestRefused invalid(String field, String message) {
        return new RequestRefused(Status.Code.INVALID_ARGUMENT, field, message);
    }

    public static RequestRefused notFound(String field, String message) {
        return new RequestRefused(Status.Code.NOT_FOUND, field, message);
    }

    public static RequestRefused precondition(String field, String message) {
        return new RequestRefused(Status.Code.FAILED_PRECONDITION, field, message);
    }
}
