package dev.arbiter.service;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target: the page_token of every list RPC. Any token is read as a key of this list or refused as INVALID_ARGUMENT
 * naming page_token; a token this list issued always reads back as the key it was made from. Saved inputs replay in
 * mvn verify; bench/fuzz.sh fuzzes.
 */
class PageTokensFuzzTest {

    @FuzzTest(maxDuration = "2h") // bench/fuzz.sh bounds a run by its count of inputs
    void anyTokenIsReadOrRefusedAndIssuedTokensRoundTrip(FuzzedDataProvider data) {
        String kind = data.pickValue(new String[] {"decisions", "models", "studies", "x"});
        String key = data.consumeString(100);
        String token = data.consumeRemainingAsString();
        try {
            PageTokens.offset(token, kind);
            PageTokens.afterNumber(token, kind, 0);
            PageTokens.after(token, kind);
        } catch (RequestRefused refused) {
            if (!refused.explained() || !"page_token".equals(refused.field())) {
                throw new AssertionError("unexplained refusal of " + token + ": " + refused.field() + " " + refused.getMessage());
            }
        }
        if (!key.isEmpty() && !PageTokens.after(PageTokens.next(kind, key), kind).equals(key)) {
            throw new AssertionError("the token of key " + key + " does not read back");
        }
    }
}
