package dev.arbiter.optimizer.retraining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.optimizer.history.TempHistoryRoot;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.scheduler.Trigger;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/**
 * The triggers are scheduled as configured: the cron from {@code arbiter.optimizer.retraining.cron} (the test profile's
 * January 1st, 03:00) and the drift poll every {@code drift-poll}. With no ensembles listed, a firing retrains nothing.
 */
@QuarkusTest
@QuarkusTestResource(TempHistoryRoot.class)
class RetrainingTriggersTest {

    @Inject
    Scheduler scheduler;

    @Inject
    RetrainingTriggers triggers;

    @Test
    void theCronAndTheDriftPollAreScheduledFromTheConfiguration() {
        Trigger cron = scheduler.getScheduledJob("retraining-schedule");
        assertNotNull(cron, "the cron is scheduled");
        ZonedDateTime next = cron.getNextFireTime().atZone(ZoneId.systemDefault());
        assertEquals(Month.JANUARY, next.getMonth(), next.toString());
        assertEquals(1, next.getDayOfMonth(), next.toString());
        assertEquals(3, next.getHour(), next.toString());
        Trigger drift = scheduler.getScheduledJob("retraining-drift");
        assertNotNull(drift, "the drift poll is scheduled");
        assertTrue(drift.getNextFireTime().isBefore(Instant.now().plusSeconds(5 * 60 + 60)), "every 5 minutes");
        assertTrue(triggers.scheduled(Instant.now()).isEmpty(), "no ensembles listed: nothing to retrain");
        assertTrue(triggers.drifted().isEmpty());
    }
}
