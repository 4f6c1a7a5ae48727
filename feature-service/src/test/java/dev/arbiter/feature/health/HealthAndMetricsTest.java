package dev.arbiter.feature.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.feature.Reflection;
import dev.arbiter.feature.TestSeries;
import dev.arbiter.proto.v1.FeatureServiceGrpc.FeatureServiceBlockingStub;
import io.grpc.Channel;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServiceResponse;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Readiness covers Redis and restored state; metrics, gRPC health and reflection answer. */
@QuarkusTest
class HealthAndMetricsTest {

    @GrpcClient("features")
    FeatureServiceBlockingStub blocking;

    @GrpcClient("features")
    Channel channel;

    @Test
    void readinessIncludesRedisAndFeatureState() {
        given().when().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", is("UP"))
                .body("checks.name", hasItems("feature-state", "Redis connection health check"));
    }

    @Test
    void ingestLatencyHistogramAndSeriesGaugeArePublished() {
        blocking.ingest(TestSeries.msft().request("metrics-probe", 0));
        given().when().get("/q/metrics").then()
                .statusCode(200)
                .body(containsString("arbiter_feature_ingest_seconds_bucket"))
                .body(containsString("arbiter_feature_series"))
                .body(containsString("arbiter_feature_observations_total{outcome=\"accepted\"}"));
    }

    @Test
    void grpcHealthServes() {
        HealthCheckResponse r = HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, r.getStatus());
    }

    @Test
    void reflectionListsTheFeatureService() throws Exception {
        List<String> names = Reflection.ask(channel, ServerReflectionRequest.newBuilder().setListServices("").build())
                .getListServicesResponse().getServiceList().stream()
                .map(ServiceResponse::getName)
                .toList();
        assertTrue(names.contains("arbiter.v1.FeatureService"), names.toString());
    }
}
