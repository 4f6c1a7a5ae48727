package dev.arbiter.service;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.List;
import java.util.Optional;

/**
 * What a client reads from a refusal's status details: the google.rpc.BadRequest field violations that
 * {@link RequestRefused#asStatus()} writes. Clients take the field from here, never from the message text.
 */
public final class RefusalDetails {

    private RefusalDetails() {}

    /** The field violations in the status' details, in order; empty when it carries no BadRequest. */
    public static List<BadRequest.FieldViolation> violations(StatusRuntimeException e) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        if (status == null) {
            return List.of();
        }
        for (Any detail : status.getDetailsList()) {
            if (detail.is(BadRequest.class)) {
                try {
                    return detail.unpack(BadRequest.class).getFieldViolationsList();
                } catch (InvalidProtocolBufferException malformed) {
                    return List.of();
                }
            }
        }
        return List.of();
    }

    /** The field of the first violation: the field the refusal is about; empty when the status names none. */
    public static Optional<String> field(StatusRuntimeException e) {
        return violations(e).stream().map(BadRequest.FieldViolation::getField).filter(f -> !f.isEmpty()).findFirst();
    }
}
