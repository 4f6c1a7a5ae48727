package dev.arbiter.service.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensTest {

    static final String ALICE = "alice-token-0123456789abcdef";
    static final String BOB = "bob-token-0123456789abcdef";

    @Test
    void aTokenIsFoundByItsDigestWithItsNameAndRoles(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("tokens"), "# comment\n\nops-alice " + Tokens.sha256(ALICE) + " read,admin\n"
                + "decision-service\t" + Tokens.sha256(BOB).toUpperCase() + "  decide,read\n");
        Tokens tokens = Tokens.read(file);
        assertEquals(new Tokens.Identity("ops-alice", Set.of("read", "admin")), tokens.find(ALICE));
        assertEquals(new Tokens.Identity("decision-service", Set.of("decide", "read")), tokens.find(BOB));
        assertNull(tokens.find("nobody"));
        assertNull(tokens.find(Tokens.sha256(ALICE)), "the digest itself is not a token");
        assertEquals(2, tokens.size());
    }

    @Test
    void everyBadLineIsRefusedNamingTheLineAndTheFix() {
        String digest = Tokens.sha256(ALICE);
        Map<String, String> bad = Map.of(
                "a " + digest, "line 1: write NAME SHA256 ROLE[,ROLE...] (three fields), found 2",
                "a b " + digest + " read", "(three fields), found 4",
                "-a " + digest + " read", "the name must be 1 to 63 letters",
                "a " + digest.substring(1) + " read", "must be 64 hex digits",
                "a " + digest + " read,root", "unknown role 'root'; roles are [admin, decide, optimizer, read, rules]",
                "a " + digest + " read\na " + Tokens.sha256(BOB) + " read", "line 2: the name a is listed twice",
                "a " + digest + " read\nb " + digest + " admin", "line 2: this digest is listed twice");
        bad.forEach((text, message) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokens.parse("f", List.of(text.split("\n"))));
            assertTrue(e.getMessage().contains(message), text + " -> " + e.getMessage());
            assertTrue(e.getMessage().startsWith("f line "), e.getMessage());
        });
    }

    /** A finding of TokensFuzzTest, kept: bytes that are not UTF-8 failed with "Input length = 1" and no line. */
    @Test
    void aLineThatIsNotUtf8IsRefusedByItsNumber(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokens");
        Files.write(file, new byte[] {'#', ' ', 'o', 'k', '\n', 'a', ' ', (byte) 0xff, (byte) 0xfe, '\n'});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokens.read(file));
        assertTrue(e.getMessage().contains("line 2: not UTF-8 text"), e.getMessage());
    }

    @Test
    void aChangedFileIsReadAgainAndABrokenOneKeepsThePreviousTable(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("tokens"), "alice " + Tokens.sha256(ALICE) + " read\n");
        Tokens tokens = Tokens.read(file, 0); // checked on every lookup
        Files.writeString(file, "bob " + Tokens.sha256(BOB) + " admin\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 5_000));
        assertNull(tokens.find(ALICE), "revoked");
        assertEquals(Set.of("admin"), tokens.find(BOB).roles());

        Files.writeString(file, "bob " + Tokens.sha256(BOB) + " superuser\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 10_000));
        assertEquals(Set.of("admin"), tokens.find(BOB).roles(), "a file that does not parse leaves the table as it was");
    }
}
