package dev.arbiter.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class RefusalDetailsTest {

    @Test
    void aRefusalCarriesItsFieldInTheDetailsBesideTheText() {
        StatusRuntimeException s = RequestRefused.invalid("observation.value", "observation.value is NaN; send a finite number").asStatus();
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getStatus().getCode());
        assertEquals("observation.value is NaN; send a finite number", s.getStatus().getDescription());
        assertEquals("observation.value", RefusalDetails.field(s).orElseThrow());
        assertEquals(1, RefusalDetails.violations(s).size());
        assertEquals(s.getStatus().getDescription(), RefusalDetails.violations(s).get(0).getDescription());
    }

    @Test
    void aStatusWithoutDetailsNamesNoField() {
        StatusRuntimeException s = Status.UNAVAILABLE.withDescription("observation.value is down").asRuntimeException();
        assertTrue(RefusalDetails.field(s).isEmpty());
        assertTrue(RefusalDetails.violations(s).isEmpty());
    }

    @Test
    void theHandlerTurnsARefusalAnywhereIntoItsStatusAndKeepsStatuses() {
        RefusalStatuses statuses = new RefusalStatuses();
        RequestRefused refused = RequestRefused.notFound("series_id", "series \"x\" is unknown");
        StatusRuntimeException s = (StatusRuntimeException) statuses.transform(new CompletionException(refused));
        assertEquals(Status.Code.NOT_FOUND, s.getStatus().getCode());
        assertEquals("series_id", RefusalDetails.field(s).orElseThrow());
        StatusRuntimeException plain = Status.ABORTED.asRuntimeException();
        assertSame(plain, statuses.transform(plain));
    }
}
