package dev.arbiter.decision.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.proto.v1.DecisionServiceGrpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** DecideStream's requests from the transport stay within the window, however eagerly the adapter asks for more. */
class StreamFlowControlTest {

    /** The transport: counts how many messages were requested of it. */
    static final class Transport extends ServerCall<Object, Object> {
        int requested;
        int sent;

        @Override
        public void request(int numMessages) {
            requested += numMessages;
        }

        @Override
        public void sendHeaders(Metadata headers) {}

        @Override
        public void sendMessage(Object message) {
            sent++;
        }

        @Override
        public void close(Status status, Metadata trailers) {}

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        @SuppressWarnings("unchecked")
        public MethodDescriptor<Object, Object> getMethodDescriptor() {
            return (MethodDescriptor<Object, Object>) (MethodDescriptor<?, ?>) DecisionServiceGrpc.getDecideStreamMethod();
        }
    }

    @Test
    void anEagerAdapterNeverHasMoreThanTheWindowInFlight() {
        Transport transport = new Transport();
        StreamFlowControl.Bounded<Object, Object> call = new StreamFlowControl.Bounded<>(transport, 4);
        call.request(1); // as the stub does at start
        int delivered = 0;
        ArrayDeque<Integer> waiting = new ArrayDeque<>();
        Random random = new Random(3);
        for (int step = 0; step < 10_000; step++) {
            // the client always has more to send: the transport delivers whatever was requested of it
            if (transport.requested > delivered && random.nextBoolean()) {
                delivered++;
                call.received();
                waiting.add(delivered);
                call.request(1); // the Mutiny adapter asks for the next one at once
            } else if (!waiting.isEmpty()) {
                waiting.poll();
                call.sendMessage("answer");
            }
            assertTrue(call.inFlight() <= 4, "in flight " + call.inFlight() + " at step " + step);
            assertTrue(transport.requested - transport.sent <= 4, "requested beyond the window at step " + step);
        }
        assertTrue(delivered > 1000, "the stream keeps flowing: " + delivered);
        while (!waiting.isEmpty()) {
            waiting.poll();
            call.sendMessage("answer");
        }
        assertEquals(delivered, transport.sent);
    }
}
