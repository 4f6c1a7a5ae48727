package dev.arbiter.service.auth;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz target: a tokens file (NAME SHA256 ROLES per line) as an operator may write it. It is read, or refused with an
 * IllegalArgumentException that names the line; a token is then found or not, never an exception. Saved inputs replay
 * in mvn verify; bench/fuzz.sh fuzzes.
 */
class TokensFuzzTest {

    private static final Path FILE;

    static {
        try {
            FILE = Files.createTempFile("tokens-fuzz", ".txt");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void anyFileIsReadOrRefusedNamingTheLine(FuzzedDataProvider data) throws IOException {
        String probe = data.consumeString(80);
        Files.write(FILE, data.consumeRemainingAsBytes());
        Tokens tokens;
        try {
            tokens = Tokens.read(FILE);
        } catch (IllegalArgumentException refused) {
            if (refused.getMessage() == null || !refused.getMessage().contains("line")) {
                throw new AssertionError("a refusal must name the line: " + refused.getMessage()
                        + " for " + new String(Files.readAllBytes(FILE), StandardCharsets.UTF_8));
            }
            return;
        }
        tokens.find(probe);
    }
}
