package dev.arbiter.model.service;

import io.grpc.Status;

/** A refused request: status code, the offending field and a message that says how to fix it. */
public final class ModelRequestException extends RuntimeException {

    private final Status.Code code;
    private final String field;

    public ModelRequestException(Status.Code code, String field, String message) {
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

    public static ModelRequestException invalid(String field, String message) {
        return new ModelRequestException(Status.Code.INVALID_ARGUMENT, field, message);
    }

    public static ModelRequestException notFound(String field, String message) {
        return new ModelRequestException(Status.Code.NOT_FOUND, field, message);
    }

    public static ModelRequestException precondition(String field, String message) {
        return new ModelRequestException(Status.Code.FAILED_PRECONDITION, field, message);
    }
}
