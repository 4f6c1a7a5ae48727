package dev.arbiter.testing;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A gRPC-level fuzzer for a running service: for every RPC of a service descriptor, random request messages built
 * from the method's input descriptor (every field kind, edge values: NaN, infinities, extreme integers, unknown enum
 * numbers, empty, long and odd strings, nested messages and repeated fields), sent as one call each (one to three
 * messages for a client stream). A service must answer every one with a status a client can act on: OK or a refusal,
 * never INTERNAL or UNKNOWN, and no call may go unanswered. Seeded, bounded in calls and in time.
 */
public final class GrpcFuzzer {

    /** What one run did: calls per status code, and the calls that failed the rule (method, status, request). */
    public record Report(int calls, Map<Status.Code, Integer> codes, List<String> findings) {
        @Override
        public String toString() {
            return calls + " calls " + codes + (findings.isEmpty() ? ", no finding" : ", findings:\n" + String.join("\n", findings));
        }
    }

    private static final String[] STRINGS = {"", " ", "a", "0", "-1", "NaN", "live", "default", "../../etc/passwd", "\u0000",
            "é€𝄞", "\uFEFF", "%s%n", "' OR 1=1 --", "a".repeat(300), "x".repeat(70_000)};
    private static final double[] DOUBLES = {0, -0.0, 1, -1, 0.5, 1e-300, 1e300, Double.NaN, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE};
    private static final long[] LONGS = {0, 1, -1, 2, 100, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE,
            1_700_000_000_000_000L};

    private final Random random;
    private final int maxDepth;

    public GrpcFuzzer(long seed) {
        this.random = new Random(seed);
        this.maxDepth = 3;
    }

    /**
     * Sends {@code perMethod} random requests to every RPC of {@code service} over {@code channel}, skipping the
     * methods named in {@code skip} (full names), and stops early once {@code maxSeconds} have passed.
     */
    public Report run(Channel channel, ServiceDescriptor service, int perMethod, long maxSeconds, List<String> skip) {
        long end = System.nanoTime() + maxSeconds * 1_000_000_000L;
        Map<Status.Code, Integer> codes = new TreeMap<>();
        List<String> findings = new ArrayList<>();
        int calls = 0;
        for (int round = 0; round < perMethod && System.nanoTime() < end; round++) {
            for (MethodDescriptor<?, ?> method : service.getMethods()) {
                if (skip.contains(method.getFullMethodName()) || System.nanoTime() >= end) {
                    continue;
                }
                Descriptor input = ((ProtoMethodDescriptorSupplier) method.getSchemaDescriptor()).getMethodDescriptor().getInputType();
                int messages = method.getType().clientSendsOneMessage() ? 1 : 1 + random.nextInt(3);
                List<byte[]> requests = new ArrayList<>();
                List<DynamicMessage> sent = new ArrayList<>();
                for (int i = 0; i < messages; i++) {
                    DynamicMessage m = message(input, 0);
                    sent.add(m);
                    requests.add(m.toByteArray());
                }
                Status status = RawRequests.call(channel, method, new Metadata(), requests, 10);
                calls++;
                codes.merge(status.getCode(), 1, Integer::sum);
                if (status.getCode() == Status.Code.INTERNAL || status.getCode() == Status.Code.UNKNOWN) {
                    String shown = sent.toString();
                    findings.add(method.getFullMethodName() + " answered " + status.getCode() + " (" + status.getDescription() + ") to "
                            + (shown.length() > 2_000 ? shown.substring(0, 2_000) + "..." : shown));
                }
            }
        }
        return new Report(calls, codes, findings);
    }

    /** A random message of type {@code type}: each field set with probability one half. */
    public DynamicMessage message(Descriptor type, int depth) {
        DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
        for (FieldDescriptor f : type.getFields()) {
            if (random.nextBoolean()) {
                continue;
            }
            if (f.isRepeated()) {
                int n = random.nextInt(random.nextInt(10) == 0 ? 200 : 4);
                for (int i = 0; i < n; i++) {
                    Object v = value(f, depth);
                    if (v != null) {
                        b.addRepeatedField(f, v);
                    }
                }
            } else {
                Object v = value(f, depth);
                if (v != null) {
                    b.setField(f, v);
                }
            }
        }
        return b.build();
    }

    private Object value(FieldDescriptor f, int depth) {
        return switch (f.getJavaType()) {
            case INT -> (int) integer();
            case LONG -> integer();
            case DOUBLE -> real();
            case FLOAT -> (float) real();
            case BOOLEAN -> random.nextBoolean();
            case STRING -> text();
            case BYTE_STRING -> {
                byte[] bytes = new byte[random.nextInt(random.nextInt(8) == 0 ? 5_000 : 40)];
                random.nextBytes(bytes);
                yield ByteString.copyFrom(bytes);
            }
            case ENUM -> {
                EnumDescriptor e = f.getEnumType();
                yield random.nextInt(5) == 0 ? e.findValueByNumberCreatingIfUnknown(100 + random.nextInt(1000))
                        : e.getValues().get(random.nextInt(e.getValues().size()));
            }
            case MESSAGE -> depth >= maxDepth ? null : message(f.getMessageType(), depth + 1);
        };
    }

    private long integer() {
        return random.nextBoolean() ? LONGS[random.nextInt(LONGS.length)] : random.nextInt(2_000) - 1_000;
    }

    private double real() {
        return random.nextBoolean() ? DOUBLES[random.nextInt(DOUBLES.length)] : (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(12) - 4);
    }

    private String text() {
        if (random.nextInt(3) > 0) {
            return STRINGS[random.nextInt(STRINGS.length)];
        }
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(30); i > 0; i--) {
            s.appendCodePoint(random.nextInt(4) == 0 ? random.nextInt(0x3000) : 32 + random.nextInt(95));
        }
        return s.toString();
    }
}
