package dev.arbiter.testing;

import com.google.protobuf.MessageLite;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Requests as bytes no protobuf library would write, as a client in another language may send them: a string field
 * holding a lone surrogate (ED A0 80, invalid UTF-8), which protobuf-java refuses to build.
 */
public final class RawRequests {

    /** Messages as their bytes, unparsed. */
    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private RawRequests() {}

    /**
     * One call of {@code method}, whatever its type, with {@code messages} as the request bodies (sent, then
     * half-closed) and {@code headers}; every response is read and dropped. Answers the status it closed with, or
     * UNKNOWN "no answer" when it did not close within the deadline and 25 s more.
     */
    public static Status call(Channel channel, MethodDescriptor<?, ?> method, Metadata headers, List<byte[]> messages,
                              long deadlineSeconds) {
        MethodDescriptor<byte[], byte[]> raw = method.toBuilder(BYTES, BYTES).build();
        ClientCall<byte[], byte[]> call = channel.newCall(raw, CallOptions.DEFAULT.withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS));
        CompletableFuture<Status> closed = new CompletableFuture<>();
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(byte[] message) {
                call.request(1);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                closed.complete(status);
            }
        }, headers);
        call.request(1);
        for (byte[] m : messages) {
            call.sendMessage(m);
        }
        call.halfClose();
        try {
            return closed.get(deadlineSeconds + 25, TimeUnit.SECONDS);
        } catch (Exception e) {
            call.cancel("no answer", e);
            return Status.UNKNOWN.withDescription("no answer: " + e);
        }
    }

    /** Calls the unary {@code method} with {@code request} as its body; a refusal is thrown as StatusRuntimeException. */
    public static <A> A unary(Channel channel, MethodDescriptor<?, A> method, byte[] request) {
        MethodDescriptor<byte[], A> raw = method.toBuilder(BYTES, method.getResponseMarshaller()).build();
        return ClientCalls.blockingUnaryCall(channel, raw, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), request);
    }

    /**
     * The bytes of {@code message} with the three ASCII characters {@code marker} (which must occur once, in a string
     * field) replaced by a lone surrogate's bytes: the same length, so every length prefix still holds.
     */
    public static byte[] withLoneSurrogate(MessageLite message, String marker) {
        byte[] bytes = message.toByteArray();
        byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
        if (m.length != 3) {
            throw new IllegalArgumentException("marker must be 3 ASCII characters, as long as the surrogate's bytes");
        }
        int found = -1;
        for (int i = 0; i + 3 <= bytes.length; i++) {
            if (bytes[i] == m[0] && bytes[i + 1] == m[1] && bytes[i + 2] == m[2]) {
                if (found >= 0) {
                    throw new IllegalArgumentException("marker " + marker + " occurs twice; use one that occurs once");
                }
                found = i;
            }
        }
        if (found < 0) {
            throw new IllegalArgumentException("marker " + marker + " is not in the message");
        }
        bytes[found] = (byte) 0xED;
        bytes[found + 1] = (byte) 0xA0;
        bytes[found + 2] = (byte) 0x80;
        return bytes;
    }
}
