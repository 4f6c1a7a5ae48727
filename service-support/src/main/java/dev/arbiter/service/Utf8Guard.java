package dev.arbiter.service;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers a request whose string field is not valid UTF-8 (a lone surrogate, say) with INVALID_ARGUMENT naming that
 * field, instead of grpc-java's UNKNOWN. grpc-java parses a request before any interceptor sees it and answers every
 * parse failure UNKNOWN ("Application error processing RPC"), so the check is in the request marshaller: when protobuf
 * refuses the bytes, the marshaller finds the first string field that is not UTF-8 and answers a marked empty request,
 * which the guarded handler refuses before the service sees it. Valid requests are parsed exactly as before.
 *
 * <p>Each gRPC service applies it in one line: {@code public ServerServiceDefinition bindService() { return
 * Utf8Guard.guard(super.bindService()); }}.
 */
public final class Utf8Guard {

    /** Field number of the mark on the empty request standing for one that did not parse (the largest legal). */
    static final int MARK = 536_870_911;

    private Utf8Guard() {}

    /** The same service with every protobuf request checked for invalid UTF-8. */
    public static ServerServiceDefinition guard(ServerServiceDefinition service) {
        ServiceDescriptor old = service.getServiceDescriptor();
        Map<MethodDescriptor<?, ?>, MethodDescriptor<?, ?>> replaced = new IdentityHashMap<>();
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
            ServerMethodDefinition<?, ?> guarded = guard(m);
            replaced.put(m.getMethodDescriptor(), guarded.getMethodDescriptor());
            methods.add(guarded);
        }
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(old.getName()).setSchemaDescriptor(old.getSchemaDescriptor());
        for (MethodDescriptor<?, ?> md : old.getMethods()) {
            descriptor.addMethod(replaced.getOrDefault(md, md));
        }
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(b::addMethod);
        return b.build();
    }

    private static <Q, A> ServerMethodDefinition<Q, A> guard(ServerMethodDefinition<Q, A> m) {
        MethodDescriptor<Q, A> md = m.getMethodDescriptor();
        if (!(md.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<Q> p) || !(p.getMessagePrototype() instanceof Message)) {
            return m;
        }
        MethodDescriptor<Q, A> checked = md.toBuilder().setRequestMarshaller(new CheckedMarshaller<>(p)).build();
        ServerCallHandler<Q, A> handler = m.getServerCallHandler();
        return ServerMethodDefinition.create(checked, (call, headers) -> new Refusing<>(handler.startCall(call, headers), call));
    }

    /** Parses as before; when protobuf refuses the bytes for a string that is not UTF-8, answers a marked empty request. */
    private static final class CheckedMarshaller<Q> implements MethodDescriptor.PrototypeMarshaller<Q> {
        private final MethodDescriptor.PrototypeMarshaller<Q> delegate;

        CheckedMarshaller(MethodDescriptor.PrototypeMarshaller<Q> delegate) {
            this.delegate = delegate;
        }

        @Override
        public Q getMessagePrototype() {
            return delegate.getMessagePrototype();
        }

        @Override
        public Class<Q> getMessageClass() {
            return delegate.getMessageClass();
        }

        @Override
        public InputStream stream(Q value) {
            return delegate.stream(value);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Q parse(InputStream in) {
            byte[] bytes;
            try {
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                return delegate.parse(new ByteArrayInputStream(bytes));
            } catch (StatusRuntimeException e) {
                Message prototype = (Message) delegate.getMessagePrototype();
                String field = firstInvalidString(prototype.getDescriptorForType(), ByteString.copyFrom(bytes), "");
                if (field == null) {
                    throw e;
                }
                return (Q) prototype.toBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(MARK, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8(field)).build())
                        .build()).build();
            }
        }
    }

    /** The path of the first string field of {@code type} in {@code bytes} that is not UTF-8, or null. */
    static String firstInvalidString(Descriptor type, ByteString bytes, String prefix) {
        UnknownFieldSet fields;
        try {
            fields = UnknownFieldSet.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
        for (Map.Entry<Integer, UnknownFieldSet.Field> e : fields.asMap().entrySet()) {
            FieldDescriptor f = type.findFieldByNumber(e.getKey());
            if (f == null) {
                continue;
            }
            String path = prefix + f.getName();
            for (ByteString value : e.getValue().getLengthDelimitedList()) {
                if (f.getType() == FieldDescriptor.Type.STRING && !value.isValidUtf8()) {
                    return path;
                }
                if (f.getType() == FieldDescriptor.Type.MESSAGE) {
                    // a map's entries are messages too: "<map>.key" or "<map>.value"
                    String found = firstInvalidString(f.getMessageType(), value, path + ".");
                    if (found != null) {
                        return found;
                    }
                }
            }
        }
        return null;
    }

    /** Refuses a marked request before the service's listener sees it, and everything of that call after it. */
    private static final class Refusing<Q, A> extends SimpleForwardingServerCallListener<Q> {
        private final ServerCall<Q, A> call;
        private boolean refused;

        Refusing(ServerCall.Listener<Q> delegate, ServerCall<Q, A> call) {
            super(delegate);
            this.call = call;
        }

        @Override
        public void onMessage(Q message) {
            if (refused) {
                return;
            }
            UnknownFieldSet unknown = ((Message) message).getUnknownFields();
            if (unknown.hasField(MARK)) {
                refused = true;
                String field = unknown.getField(MARK).getLengthDelimitedList().get(0).toStringUtf8();
                StatusRuntimeException s = RequestRefused.invalid(field, field + " is not valid UTF-8 (a lone surrogate or a"
                        + " broken byte sequence); send strings encoded as UTF-8").asStatus();
                call.close(s.getStatus(), s.getTrailers() != null ? s.getTrailers() : new Metadata());
                return;
            }
            super.onMessage(message);
        }

        @Override
        public void onHalfClose() {
            if (!refused) {
                super.onHalfClose();
            }
        }

        @Override
        public void onReady() {
            if (!refused) {
                super.onReady();
            }
        }
    }
}
