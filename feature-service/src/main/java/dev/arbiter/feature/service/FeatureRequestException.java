package dev.arbiter.feature.service;

import io.grpc.Status;

/**
 * A request the service refuses: carries the gRPC status code, the offending field and a message
 * that says how to fix it. The grpc adapter turns it into a status (unary) or a Problem (stream).
 */
public final class FeatureRequestException extends RuntimeException {

    private final Status.Code code;
    private final String field;

    public FeatureRequestException(Status.Code code, String field, String message) {
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

    static FeatureRequestException invalid(String field, String message) {
        return new FeatureRequestException(Status.Code.INVALID_ARGUMENT, field, message);
    }
}
