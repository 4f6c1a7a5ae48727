package dev.arbiter.service.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdminRateLimitTest {

    @Test
    void aBurstThenTheRatePerClientEachClientItsOwn() {
        AtomicLong now = new AtomicLong(1_000);
        AdminRateLimit limit = new AdminRateLimit(60, 3, now::get); // one a second after three
        for (int i = 0; i < 3; i++) {
            assertEquals(0, limit.take("alice"), "call " + i + " of the burst");
        }
        long wait = limit.take("alice");
        assertTrue(wait > 0 && wait <= 1_000_000_000L, "the fourth waits at most a second: " + wait);
        assertEquals(0, limit.take("bob"), "another client has its own bucket");
        now.addAndGet(wait);
        assertEquals(0, limit.take("alice"), "allowed once the time it was told has passed");
        assertTrue(limit.take("alice") > 0);
        now.addAndGet(60_000_000_000L); // a minute idle refills to the burst, not beyond
        for (int i = 0; i < 3; i++) {
            assertEquals(0, limit.take("alice"));
        }
        assertTrue(limit.take("alice") > 0);
        assertEquals("60 a minute after a burst of 3", limit.describe());
    }

    @Test
    void aRateOrBurstThatAllowsNothingIsRefusedNamingTheSettings() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AdminRateLimit(0, 3, System::nanoTime));
        assertTrue(e.getMessage().contains("arbiter.limits.admin-per-minute"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AdminRateLimit(60, 0, System::nanoTime));
    }
}
