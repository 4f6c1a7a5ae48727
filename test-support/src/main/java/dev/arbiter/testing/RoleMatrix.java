package dev.arbiter.testing;

import dev.arbiter.service.auth.MethodRoles;
import dev.arbiter.service.auth.Tokens;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every RPC of a service called with every role (auth.proto): a test token per role, an unknown token, another
 * scheme and no token at all, each on an empty request. A role the RPC admits must get past authentication (any
 * status but UNAUTHENTICATED and PERMISSION_DENIED: usually the service's own INVALID_ARGUMENT for the empty request);
 * every other role must get PERMISSION_DENIED naming the roles the RPC admits; the three others UNAUTHENTICATED.
 * Refused calls never reach the service, so nothing the matrix sends changes any state but what an empty request to
 * an admitted RPC would.
 */
public final class RoleMatrix {

    /** The roles, in the order the matrix reports them. */
    public static final List<String> ROLES = List.of("read", "decide", "admin", "optimizer", "rules");

    private RoleMatrix() {}

    /** A service's tests with authentication on: the tokens file of {@link #writeTokensFile}. */
    public static class TokensRequired implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("arbiter.auth.tokens-file", writeTokensFile(Path.of("target", "auth-test")).toAbsolutePath().toString());
        }
    }

    /** The test token of one role (a test value, never a real one). */
    public static String token(String role) {
        return "arbiter-test-token-" + role + "-not-for-production";
    }

    /** Writes a tokens file in {@code dir} listing one token per role, named {@code role-ROLE}, and returns it. */
    public static Path writeTokensFile(Path dir) {
        StringBuilder b = new StringBuilder("# test tokens, one per role (RoleMatrix)\n");
        for (String role : ROLES) {
            b.append("role-").append(role).append(' ').append(Tokens.sha256(token(role))).append(' ').append(role).append('\n');
        }
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("tokens");
            Files.writeString(file, b);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One call of the matrix and what came back. */
    public record Cell(String method, String caller, Status.Code code, String description, boolean expected) {}

    /** Runs the matrix over every method of {@code service}; the cells whose outcome was not the expected one fail a test. */
    public static List<Cell> run(Channel channel, ServiceDescriptor service) {
        List<Cell> cells = new ArrayList<>();
        for (MethodDescriptor<?, ?> method : service.getMethods()) {
            Set<String> admits = method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier s
                    ? MethodRoles.read(s.getMethodDescriptor()) : Set.of();
            String name = method.getFullMethodName();
            if (admits.isEmpty()) {
                cells.add(new Cell(name, "-", Status.Code.OK, "the RPC has no (arbiter.v1.allowed_roles) option", false));
                continue;
            }
            for (String[] anonymous : new String[][] {{"no token", null}, {"unknown token", "Bearer arbiter-test-token-nobody-knows-this"},
                    {"Basic scheme", "Basic " + token("admin")}}) {
                Status s = call(channel, method, anonymous[1]);
                cells.add(new Cell(name, anonymous[0], s.getCode(), s.getDescription(), s.getCode() == Status.Code.UNAUTHENTICATED));
            }
            for (String role : ROLES) {
                Status s = call(channel, method, "Bearer " + token(role));
                boolean ok;
                if (admits.contains(role)) {
                    ok = s.getCode() != Status.Code.UNAUTHENTICATED && s.getCode() != Status.Code.PERMISSION_DENIED;
                } else {
                    ok = s.getCode() == Status.Code.PERMISSION_DENIED && s.getDescription() != null
                            && admits.stream().allMatch(s.getDescription()::contains) && s.getDescription().contains("role-" + role);
                }
                cells.add(new Cell(name, "role " + role, s.getCode(), s.getDescription(), ok));
            }
        }
        return cells;
    }

    /** The cells that did not come out as expected, as text for an assertion message. */
    public static List<String> unexpected(List<Cell> cells) {
        return cells.stream().filter(c -> !c.expected()).map(c -> c.method() + " with " + c.caller() + ": " + c.code() + " "
                + c.description()).toList();
    }

    /**
     * Runs the matrix over {@code service} on a server whose tokens file is {@link #writeTokensFile}'s, fails with every
     * unexpected cell, and prints what it covered.
     */
    public static void assertEveryRpc(Channel channel, ServiceDescriptor service) {
        List<Cell> cells = run(channel, service);
        org.junit.jupiter.api.Assertions.assertEquals(List.of(), unexpected(cells), "RPCs whose authorisation is not as auth.proto states");
        org.junit.jupiter.api.Assertions.assertEquals(service.getMethods().size() * (3 + ROLES.size()), cells.size(), "calls made");
        System.out.println(service.getName() + " role matrix: " + summary(cells));
    }

    /** How many RPCs and calls the matrix covered, for the test's output. */
    public static String summary(List<Cell> cells) {
        Set<String> methods = new TreeSet<>();
        cells.forEach(c -> methods.add(c.method()));
        long denied = cells.stream().filter(c -> c.code() == Status.Code.PERMISSION_DENIED).count();
        long unauthenticated = cells.stream().filter(c -> c.code() == Status.Code.UNAUTHENTICATED).count();
        return methods.size() + " RPCs, " + cells.size() + " calls: " + unauthenticated + " UNAUTHENTICATED, " + denied
                + " PERMISSION_DENIED, " + (cells.size() - denied - unauthenticated) + " admitted";
    }

    /** One call with an empty request message (sent once, then half-closed), whatever the method's type. */
    private static Status call(Channel channel, MethodDescriptor<?, ?> method, String authorization) {
        Metadata headers = new Metadata();
        if (authorization != null) {
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
        }
        return RawRequests.call(channel, method, headers, List.of(new byte[0]), 5);
    }
}
