package dev.arbiter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.service.auth.Tokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCommandTest {

    @Test
    void aNewTokenAndItsLineAreAcceptedByTheServicesTokensFile(@TempDir Path dir) throws Exception {
        Cli.Result r = Cli.run("token", "ops-alice", "read,admin");
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = r.out().lines().map(String::strip).toList();
        String token = lines.get(1);
        String line = lines.get(3);
        assertTrue(token.matches("[A-Za-z0-9_-]{43}"), token);
        assertTrue(!line.contains(token), "the tokens-file line holds the digest, not the token");
        Path file = Files.writeString(dir.resolve("tokens"), line + "\n");
        Tokens tokens = Tokens.read(file);
        assertEquals(new Tokens.Identity("ops-alice", Set.of("admin", "read")), tokens.find(token));
        assertNull(tokens.find(token + "x"));
        assertNotEquals(token, Cli.run("token", "ops-alice", "read").out().lines().toList().get(1).strip(), "a new token each time");
    }

    @Test
    void anUnknownRoleOrABadNameIsAUsageErrorNamingTheFix() {
        Cli.Result role = Cli.run("token", "ops", "read,root");
        assertEquals(2, role.exitCode(), role.toString());
        assertTrue(role.err().contains("unknown role 'root'; roles are admin, decide, optimizer, read, rules"), role.err());
        Cli.Result name = Cli.run("token", "ops alice", "read");
        assertEquals(2, name.exitCode(), name.toString());
        assertTrue(name.err().contains("NAME must be"), name.err());
    }
}
