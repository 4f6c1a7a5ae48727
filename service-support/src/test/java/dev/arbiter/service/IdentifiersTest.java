package dev.arbiter.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What an identifier and free text may hold, and the escaped form of text that was never checked. */
class IdentifiersTest {

    @Test
    void identifiersRefuseControlCharactersAndUnpairedSurrogatesNamingTheFieldAndTheIndex() {
        for (String bad : List.of("a\u0000b", "a\u001bb", "a\nb", "a\tb", "a\u007fb", "a\u0085b", "a\ud83db", "a\ude00b")) {
            RequestRefused e = assertThrows(RequestRefused.class,
                    () -> Identifiers.requireIdentifier("observation.series_id", bad, 200, "the series"));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
            assertEquals("observation.series_id", e.field());
            assertTrue(e.getMessage().contains("at index 1"), e.getMessage());
        }
        assertThrows(RequestRefused.class, () -> Identifiers.requireIdentifier("f", " ", 10, "it"));
        assertThrows(RequestRefused.class, () -> Identifiers.requireIdentifier("f", "x".repeat(11), 10, "it"));
        assertEquals("EUR/USD \ud83d\ude00 é", Identifiers.requireIdentifier("f", "EUR/USD \ud83d\ude00 é", 20, "it"),
                "a surrogate pair and accents are printable");
    }

    @Test
    void freeTextAllowsTabsAndLineBreaksButNotNul() {
        assertEquals("why:\n\tbecause\r\n", Identifiers.requireText("reason", "why:\n\tbecause\r\n", 100));
        RequestRefused e = assertThrows(RequestRefused.class, () -> Identifiers.requireText("reason", "a\u0000", 100));
        assertEquals("reason", e.field());
        assertTrue(e.getMessage().contains("NUL"), e.getMessage());
    }

    @Test
    void escapedWritesWhatTheRulesRefuseAsUnicodeEscapes() {
        assertEquals("s\\u0000x\\u001b\\ud83d-\ud83d\ude00\\u0085", Identifiers.escaped("s\u0000x\u001b\ud83d-\ud83d\ude00\u0085"));
        assertEquals("plain", Identifiers.escaped("plain"));
        assertEquals("", Identifiers.escaped(""));
    }
}
