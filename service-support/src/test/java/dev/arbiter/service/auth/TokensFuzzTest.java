package dev.arbiter.service.auth;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target: a tokens file (NAME SHA256 ROLES per line) as an operator may write it, as the bytes Tokens.read reads
 * from disk. It is parsed, or refused with an IllegalArgumentException that names the line; a token is then found or
 * not, never an exception. Saved inputs replay in mvn verify; bench/fuzz.sh fuzzes.
 */
class TokensFuzzTest {

    @FuzzTest(maxDuration = "2h") // bench/fuzz.sh bounds a run by its count of inputs
    void anyFileIsReadOrRefusedNamingTheLine(FuzzedDataProvider data) {
        String probe = data.consumeString(80);
        byte[] file = data.consumeRemainingAsBytes();
        java.util.Map<String, Tokens.Identity> table;
        try {
            table = Tokens.parse("tokens", Tokens.lines("tokens", file));
        } catch (IllegalArgumentException refused) {
            if (refused.getMessage() == null || !refused.getMessage().startsWith("tokens line ")) {
                throw new AssertionError("a refusal must name the line: " + refused.getMessage());
            }
            return;
        }
        table.get(Tokens.sha256(probe));
    }
}
