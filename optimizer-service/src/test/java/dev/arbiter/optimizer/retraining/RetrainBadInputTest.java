package dev.arbiter.optimizer.retraining;

import static dev.arbiter.testing.RefusalAssertions.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.optimizer.history.TempHistoryRoot;
import dev.arbiter.proto.v1.ListRetrainingsRequest;
import dev.arbiter.proto.v1.ModelKind;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import dev.arbiter.proto.v1.OptimizerServiceGrpc.OptimizerServiceBlockingStub;
import dev.arbiter.proto.v1.RetrainRequest;
import dev.arbiter.proto.v1.RetrainingTrigger;
import dev.arbiter.service.PageTokens;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad Retrain and ListRetrainings request over gRPC, in-process: refused with the field named and nothing
 * stored. model-service is not running here (a closed port), so a well-formed Retrain ends UNAVAILABLE; RetrainingIT
 * covers the refusals that need a model-service (no champion, no ensemble, not a member, under way). The store's claims
 * (one retraining under way per model, a trigger key taken once) run against PostgreSQL.
 */
@QuarkusTest
@QuarkusTestResource(TempHistoryRoot.class)
class RetrainBadInputTest {

    @GrpcClient("optimizer")
    OptimizerServiceBlockingStub optimizer;

    @Inject
    RetrainingStore store;

    private static RetrainRequest.Builder ok() {
        return RetrainRequest.newBuilder().setModelName("bad-input-model").setEnsembleName("default").setReason("test");
    }

    private StatusRuntimeException retrainRefused(Status.Code code, String field, RetrainRequest.Builder request) {
        return refused(code, field, () -> optimizer.retrain(request.build()).forEachRemaining(u -> { }));
    }

    @Test
    void badRetrainRequestsAreRefusedOnTheirField() {
        retrainRefused(Status.Code.INVALID_ARGUMENT, "model_name", ok().setModelName(""));
        retrainRefused(Status.Code.INVALID_ARGUMENT, "model_name", ok().setModelName("Bad Name"));
        retrainRefused(Status.Code.INVALID_ARGUMENT, "model_name", ok().setModelName("x".repeat(65)));
        retrainRefused(Status.Code.INVALID_ARGUMENT, "ensemble_name", ok().setEnsembleName(""));
        retrainRefused(Status.Code.INVALID_ARGUMENT, "ensemble_name", ok().setEnsembleName("Default"));
        retrainRefused(Status.Code.INVALID_ARGUMENT, "ensemble_name", ok().setEnsembleName("e".repeat(65)));
        retrainRefused(Status.Code.INVALID_ARGUMENT, "reason", ok().setReason(""));
        retrainRefused(Status.Code.INVALID_ARGUMENT, "reason", ok().setReason("  \t"));
        retrainRefused(Status.Code.INVALID_ARGUMENT, "challenger.kind", ok().setChallenger(ModelTrainingConfig.newBuilder()));
        retrainRefused(Status.Code.INVALID_ARGUMENT, "challenger.kind",
                ok().setChallenger(ModelTrainingConfig.newBuilder().setKindValue(99)));
        StatusRuntimeException down = retrainRefused(Status.Code.UNAVAILABLE, "model_name", ok().setChallenger(
                ModelTrainingConfig.newBuilder().setKind(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES)));
        assertTrue(down.getStatus().getDescription().contains("model-service"), down.getStatus().getDescription());
        assertEquals(0, optimizer.listRetrainings(ListRetrainingsRequest.newBuilder().setModelName("bad-input-model")
                .build()).getRetrainingsCount(), "nothing was stored");
    }

    @Test
    void badListRequestsAreRefusedOnTheirField() {
        refused(Status.Code.INVALID_ARGUMENT, "page_size",
                () -> optimizer.listRetrainings(ListRetrainingsRequest.newBuilder().setPageSize(-1).build()));
        refused(Status.Code.INVALID_ARGUMENT, "page_token",
                () -> optimizer.listRetrainings(ListRetrainingsRequest.newBuilder().setPageToken("not a token").build()));
        refused(Status.Code.INVALID_ARGUMENT, "page_token", () -> optimizer.listRetrainings(ListRetrainingsRequest.newBuilder()
                .setPageToken(PageTokens.next("jobs", "1:x")).build()));
        refused(Status.Code.INVALID_ARGUMENT, "page_token", () -> optimizer.listRetrainings(ListRetrainingsRequest.newBuilder()
                .setPageToken(PageTokens.next("retrainings", "seven")).build()));
    }

    @Test
    void oneRetrainingOfAModelIsUnderWayAndATriggerKeyIsTakenOnce() {
        String model = "claims-" + System.nanoTime();
        Optional<Long> first = store.create(model, "e", RetrainingTrigger.RETRAINING_TRIGGER_DRIFT, "drift:" + model + ":1:1",
                "drift", 1);
        assertTrue(first.isPresent());
        store.failed(first.get(), "ended for the test");
        assertTrue(store.create(model, "e", RetrainingTrigger.RETRAINING_TRIGGER_DRIFT, "drift:" + model + ":1:1", "drift", 1)
                .isEmpty(), "the same drift generation is retrained once, whichever replica sees it");
        Optional<Long> next = store.create(model, "e", RetrainingTrigger.RETRAINING_TRIGGER_DRIFT, "drift:" + model + ":1:2",
                "drift", 1);
        assertTrue(next.isPresent(), "a new generation is a new drift");
        org.junit.jupiter.api.Assertions.assertThrows(RetrainingStore.UnderWay.class, () -> store.create(model, "e",
                RetrainingTrigger.RETRAINING_TRIGGER_MANUAL, null, "manual", 1), "the second is under way");
        store.failed(next.get(), "ended for the test");
        var page = optimizer.listRetrainings(ListRetrainingsRequest.newBuilder().setModelName(model).setPageSize(1).build());
        assertEquals(next.get(), page.getRetrainings(0).getRetrainingId(), "newest first");
        assertEquals("ended for the test", page.getRetrainings(0).getOutcome());
        var rest = optimizer.listRetrainings(ListRetrainingsRequest.newBuilder().setModelName(model).setPageSize(1)
                .setPageToken(page.getNextPageToken()).build());
        assertEquals(first.get(), rest.getRetrainings(0).getRetrainingId());
        assertEquals("", rest.getNextPageToken());
    }
}
