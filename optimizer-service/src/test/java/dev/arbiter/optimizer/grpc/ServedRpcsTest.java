package dev.arbiter.optimizer.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arbiter.proto.v1.OptimizerServiceGrpc;
import io.grpc.MethodDescriptor;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every RPC of the contract is served: the generated base class answers an RPC that the adapter does not override
 * with UNIMPLEMENTED and an empty message, which tells a client nothing. An RPC added to optimizer_service.proto
 * fails this test until the adapter serves it (or, while it comes later, refuses it with a message that says so).
 * The other services' adapters implement generated interfaces, where the compiler checks the same.
 */
class ServedRpcsTest {

    @Test
    void theAdapterOverridesEveryRpcOfTheContract() {
        Set<String> overridden = Arrays.stream(OptimizerGrpcService.class.getDeclaredMethods())
                .map(Method::getName)
                .collect(Collectors.toSet());
        List<String> missing = OptimizerServiceGrpc.getServiceDescriptor().getMethods().stream()
                .map(m -> MethodDescriptor.extractBareMethodName(m.getFullMethodName()))
                .filter(rpc -> !overridden.contains(Character.toLowerCase(rpc.charAt(0)) + rpc.substring(1)))
                .toList();
        assertEquals(List.of(), missing, "RPCs that would answer UNIMPLEMENTED with an empty message");
    }
}
