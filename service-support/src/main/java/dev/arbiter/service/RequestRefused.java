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

    /**
     * Most UTF-8 bytes of a message. It travels twice in the status trailers (grpc-message, percent-encoded: up to 3
     * bytes per byte, and the BadRequest details, base64), and a client refuses trailers over 8 KiB with RST_STREAM, which
     * it reports as INTERNAL: a message echoing a 70,000-character field did exactly that (found by the gRPC fuzzer).
     */
    static final int MAX_MESSAGE_BYTES = 1500;

    /** Most characters of a field path. */
    static final int MAX_FIELD = 200;

    public RequestRefused(Status.Code code, String field, String message) {
        super(bounded(message), null, false, false);
        this.code = code;
        // a field path can carry a request's map key ("values[KEY]"): bounded too, as it travels in the details
        this.field = field == null || field.length() <= MAX_FIELD ? field : field.substring(0, MAX_FIELD - 3) + "...";
    }

    /**
     * {@code message} when it fits in {@link #MAX_MESSAGE_BYTES}; else its start and its end (where the fix is said)
     * around a note of how much of the middle, usually an echoed value, was cut.
     */
    static String bounded(String message) {
        if (message == null || message.length() * 3L <= MAX_MESSAGE_BYTES
                || message.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_MESSAGE_BYTES) {
            return message;
        }
        // a char is at most 3 UTF-8 bytes (a surrogate pair 4 for two chars): 200 + 200 chars stay under the bound
        int head = 200;
        int tail = 200;
        if (Character.isHighSurrogate(message.charAt(head - 1))) {
            head--;
        }
        if (Character.isLowSurrogate(message.charAt(message.length() - tail))) {
            tail--;
        }
        int cut = message.length() - head - tail;
        return message.substring(0, head) + " [... " + cut + " characters cut ...] " + message.substring(message.length() - tail);
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
