package dev.arbiter.feature.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import dev.arbiter.feature.Reflection;
import dev.arbiter.feature.TestSeries;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.ClientCalls;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A client with no generated code at all: it learns the contract from server reflection, builds
 * dynamic messages by field name, ingests a real series and reads its features back.
 */
@QuarkusTest
class ReflectionOnlyClientTest {

    @GrpcClient("features")
    Channel channel;

    @Test
    void aReflectionOnlyClientIngestsARealSeriesAndReadsItsFeatures() throws Exception {
        ServiceDescriptor service = discover("arbiter.v1.FeatureService");
        MethodDescriptor ingest = service.findMethodByName("Ingest");
        MethodDescriptor latest = service.findMethodByName("GetLatestFeatures");
        MethodDescriptor schema = service.findMethodByName("GetFeatureSchema");

        TestSeries msft = TestSeries.msft();
        String id = "reflection-" + UUID.randomUUID();
        Descriptor observationType = ingest.getInputType().findFieldByName("observation").getMessageType();
        for (int i = 0; i < msft.size(); i++) {
            DynamicMessage observation = DynamicMessage.newBuilder(observationType)
                    .setField(observationType.findFieldByName("series_id"), id)
                    .setField(observationType.findFieldByName("ts_micros"), msft.ts()[i])
                    .setField(observationType.findFieldByName("value"), msft.close()[i])
                    .setField(observationType.findFieldByName("high"), msft.high()[i])
                    .setField(observationType.findFieldByName("low"), msft.low()[i])
                    .build();
            DynamicMessage request = DynamicMessage.newBuilder(ingest.getInputType())
                    .setField(ingest.getInputType().findFieldByName("observation"), observation)
                    .build();
            call(ingest, request);
        }

        DynamicMessage names = call(schema, DynamicMessage.getDefaultInstance(schema.getInputType()));
        @SuppressWarnings("unchecked")
        List<String> featureNames = (List<String>) names.getField(schema.getOutputType().findFieldByName("names"));
        DynamicMessage answer = call(latest, DynamicMessage.newBuilder(latest.getInputType())
                .setField(latest.getInputType().findFieldByName("series_id"), id)
                .build());
        DynamicMessage vector = (DynamicMessage) answer.getField(latest.getOutputType().findFieldByName("features"));
        Descriptor vectorType = vector.getDescriptorForType();
        @SuppressWarnings("unchecked")
        List<Double> values = (List<Double>) vector.getField(vectorType.findFieldByName("values"));

        assertEquals((long) msft.size(), vector.getField(vectorType.findFieldByName("observation_count")));
        assertEquals(featureNames.size(), values.size());
        double sma5 = 0;
        for (int i = msft.size() - 5; i < msft.size(); i++) {
            sma5 += msft.close()[i] / 5;
        }
        assertEquals(sma5, values.get(featureNames.indexOf("sma_5")), 1e-9 * sma5, "the 5-observation average of the last closes");
        assertTrue(values.stream().allMatch(Double::isFinite), "every feature is a number once the series is warm");
    }

    private DynamicMessage call(MethodDescriptor method, DynamicMessage request) {
        io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> grpcMethod = io.grpc.MethodDescriptor
                .<DynamicMessage, DynamicMessage>newBuilder()
                .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(io.grpc.MethodDescriptor.generateFullMethodName(
                        method.getService().getFullName(), method.getName()))
                .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getInputType())))
                .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getOutputType())))
                .build();
        return ClientCalls.blockingUnaryCall(channel, grpcMethod, CallOptions.DEFAULT, request);
    }

    /** Fetches the file that declares the service, with its dependencies, and builds real descriptors. */
    private ServiceDescriptor discover(String serviceName) throws Exception {
        ServerReflectionResponse answer = Reflection.ask(
                channel, ServerReflectionRequest.newBuilder().setFileContainingSymbol(serviceName).build());
        Map<String, FileDescriptorProto> protos = new HashMap<>();
        for (ByteString bytes : answer.getFileDescriptorResponse().getFileDescriptorProtoList()) {
            FileDescriptorProto p = FileDescriptorProto.parseFrom(bytes);
            protos.put(p.getName(), p);
        }
        Map<String, FileDescriptor> built = new HashMap<>();
        for (FileDescriptorProto p : protos.values()) {
            for (ServiceDescriptor s : build(p.getName(), protos, built).getServices()) {
                if (s.getFullName().equals(serviceName)) {
                    return s;
                }
            }
        }
        throw new AssertionError(serviceName + " is not described by reflection");
    }

    private static FileDescriptor build(String name, Map<String, FileDescriptorProto> protos, Map<String, FileDescriptor> built)
            throws Exception {
        FileDescriptor done = built.get(name);
        if (done != null) {
            return done;
        }
        FileDescriptorProto proto = protos.get(name);
        if (proto == null) {
            throw new AssertionError("reflection did not send " + name);
        }
        FileDescriptor[] deps = new FileDescriptor[proto.getDependencyCount()];
        for (int i = 0; i < deps.length; i++) {
            deps[i] = build(proto.getDependency(i), protos, built);
        }
        FileDescriptor file = FileDescriptor.buildFrom(proto, deps);
        built.put(name, file);
        return file;
    }
}
