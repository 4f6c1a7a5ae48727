package dev.arbiter.service.auth;

import com.google.protobuf.Descriptors;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The roles an RPC admits, read from its {@code (arbiter.v1.allowed_roles)} method option in the .proto (auth.proto),
 * so the contract a client reads and the check a service makes are the same text. Cached per method.
 */
public final class MethodRoles {

    /** auth.proto's extension: its full name, and its field number for options parsed without the extension known. */
    static final String OPTION = "arbiter.v1.allowed_roles";
    static final int OPTION_NUMBER = 51001;
    /** auth.proto's Role numbers, as role names. */
    private static final Map<Integer, String> BY_NUMBER = Map.of(1, "read", 2, "decide", 3, "admin", 4, "optimizer", 5, "rules");

    private final Map<String, Set<String>> cache = new ConcurrentHashMap<>();

    /** The roles {@code method} admits; empty when it has no allowed_roles option (not an arbiter.v1 RPC). */
    public Set<String> of(MethodDescriptor<?, ?> method) {
        return cache.computeIfAbsent(method.getFullMethodName(), k -> read(method));
    }

    /** The roles a protobuf method descriptor's options admit. */
    public static Set<String> read(Descriptors.MethodDescriptor method) {
        Set<String> roles = new TreeSet<>();
        method.getOptions().getAllFields().forEach((field, value) -> {
            if (field.getFullName().equals(OPTION) && value instanceof List<?> list) {
                for (Object v : list) {
                    roles.add(role(((Descriptors.EnumValueDescriptor) v).getNumber()));
                }
            }
        });
        UnknownFieldSet.Field unknown = method.getOptions().getUnknownFields().getField(OPTION_NUMBER);
        if (unknown != null) {
            for (Long v : unknown.getVarintList()) {
                roles.add(role(v.intValue()));
            }
        }
        return Set.copyOf(roles);
    }

    private static Set<String> read(MethodDescriptor<?, ?> method) {
        if (method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier s) {
            return read(s.getMethodDescriptor());
        }
        return Set.of();
    }

    private static String role(int number) {
        String r = BY_NUMBER.get(number);
        if (r == null) {
            throw new IllegalStateException("allowed_roles holds role number " + number + ", unknown to this build");
        }
        return r.toLowerCase(Locale.ROOT);
    }
}
