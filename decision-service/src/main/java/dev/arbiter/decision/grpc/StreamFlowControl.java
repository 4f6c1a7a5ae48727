package dev.arbiter.decision.grpc;

import dev.arbiter.decision.config.DecisionConfig;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Keeps DecideStream's unanswered requests bounded. Quarkus' Mutiny adapter asks gRPC for the next request as soon
 * as it has queued the last one, so a client sending faster than decisions are made would fill an unbounded queue.
 * This interceptor passes the adapter's requests for more on only while fewer than {@code window} requests are
 * waiting for their answer; beyond that the client is held back by HTTP/2 flow control, as a gRPC stream should be.
 * Every DecideStream request gets exactly one answer, which is what makes the count exact.
 */
@GlobalInterceptor
@ApplicationScoped
public class StreamFlowControl implements ServerInterceptor {

    private static final String DECIDE_STREAM = DecisionServiceGrpc.getDecideStreamMethod().getFullMethodName();

    /** The most requests any DecideStream has had in flight at once since start (diagnostics; tests check the bound). */
    static final java.util.concurrent.atomic.AtomicInteger HIGH_WATER = new java.util.concurrent.atomic.AtomicInteger();

    private final int window;

    public StreamFlowControl(DecisionConfig config) {
        this.window = config.streamWindow();
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        if (!DECIDE_STREAM.equals(call.getMethodDescriptor().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        Bounded<Q, A> bounded = new Bounded<>(call, window);
        return new SimpleForwardingServerCallListener<>(next.startCall(bounded, headers)) {
            @Override
            public void onMessage(Q message) {
                bounded.received();
                super.onMessage(message);
            }
        };
    }

    /**
     * A call whose request(n) is held back while {@code window} requests are requested from the transport or
     * received and unanswered.
     */
    static final class Bounded<Q, A> extends SimpleForwardingServerCall<Q, A> {

        private final int window;
        /** Asked for by the adapter, not yet passed on. */
        private int deferred;
        /** Passed on to the transport, message not yet arrived. */
        private int outstanding;
        /** Arrived, answer not yet sent. */
        private int unanswered;

        Bounded(ServerCall<Q, A> call, int window) {
            super(call);
            this.window = window;
        }

        @Override
        public void request(int n) {
            int pass;
            synchronized (this) {
                deferred += n;
                pass = release();
            }
            if (pass > 0) {
                super.request(pass);
            }
        }

        synchronized void received() {
            outstanding = Math.max(outstanding - 1, 0);
            unanswered++;
            HIGH_WATER.accumulateAndGet(outstanding + unanswered, Math::max);
        }

        @Override
        public void sendMessage(A message) {
            super.sendMessage(message);
            int pass;
            synchronized (this) {
                unanswered = Math.max(unanswered - 1, 0);
                pass = release();
            }
            if (pass > 0) {
                super.request(pass);
            }
        }

        /** Requests received and not yet answered, plus those requested from the transport: at most the window. */
        synchronized int inFlight() {
            return outstanding + unanswered;
        }

        private int release() {
            int pass = Math.max(0, Math.min(window - outstanding - unanswered, deferred));
            deferred -= pass;
            outstanding += pass;
            return pass;
        }
    }
}
