package dev.arbiter.service;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * A request a service refuses: the gRPC status code, the offending field (e.g. "observation.value")
 * and a message that says what was wrong and how to fix it. Services throw it from their domain code;
 * one exception handler per service turns it into the call's status ({@link #asStatus()}), and a stream's
 * adapter into a per-item Problem with the same code, field and message.
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

    /**
     * Whether this refusal tells the client what it needs: a client status (never INTERNAL or UNKNOWN), the field of
     * the request it is about and a sentence saying what to send instead. The fuzz targets require it of every refusal.
     */
    public boolean explained() {
        return code != Status.Code.INTERNAL && code != Status.Code.UNKNOWN && code != Status.Code.OK
                && field != null && !field.isBlank() && getMessage() != null && !getMessage().isBlank();
    }

    /**
     * The status for the whole call: the code, the message as its description, and in its details a
     * google.rpc.BadRequest whose one field violation is (field, message), so that a client reads the field with
     * {@link RefusalDetails} instead of parsing the text.
     */
    public StatusRuntimeException asStatus() {
        BadRequest details = BadRequest.newBuilder()
                .addFieldViolations(BadRequest.FieldViolation.newBuilder().setField(field).setDescription(getMessage()))
                .build();
        return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                .setCode(code.value())
                .setMessage(getMessage())
                .addDetails(Any.pack(details))
                .build());
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
