package dev.arbiter.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The one page-token codec: round trips, page sizes, and every token a list did not issue refused on page_token. */
class PageTokensTest {

    static void refused(String field, Executable call) {
        RequestRefused e = assertThrows(RequestRefused.class, call);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
        assertEquals(field, e.field());
    }

    static String raw(String plain) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aTokenCarriesItsKeyBackToTheListThatIssuedIt() {
        assertEquals("", PageTokens.after("", "series"), "no token: the first page");
        assertEquals("EUR/USD:é", PageTokens.after(PageTokens.next("series", "EUR/USD:é"), "series"));
        assertEquals(0, PageTokens.offset("", "o"));
        assertEquals(150, PageTokens.offset(PageTokens.nextOffset("o", 100, 50, 151), "o"));
        assertEquals("", PageTokens.nextOffset("o", 100, 50, 150), "the last page has no next token");
        assertEquals(-1, PageTokens.afterNumber("", "trials", -1));
        assertEquals(42, PageTokens.afterNumber(PageTokens.next("trials", "42"), "trials", -1));
    }

    @Test
    void pageSizesFollowTheConvention() {
        assertEquals(50, PageTokens.size(0, 50, 500));
        assertEquals(7, PageTokens.size(7, 50, 500));
        assertEquals(500, PageTokens.size(Integer.MAX_VALUE, 50, 500));
        refused("page_size", () -> PageTokens.size(-1, 50, 500));
    }

    @Test
    void tokensNotIssuedByTheListAreRefused() {
        String otherList = PageTokens.next("jobs", "10");
        for (String bad : List.of("not a token!", raw("nope"), raw("o:"), otherList)) {
            refused("page_token", () -> PageTokens.after(bad, "o"));
        }
        for (String bad : List.of(raw("o:-5"), raw("o:abc"), raw("o:99999999999"))) {
            refused("page_token", () -> PageTokens.offset(bad, "o"));
        }
        refused("page_token", () -> PageTokens.afterNumber(raw("trials:x"), "trials", 0));
    }
}
