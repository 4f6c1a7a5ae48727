package dev.arbiter.cli;

import dev.arbiter.cli.client.UsageError;
import dev.arbiter.service.auth.Tokens;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code arbiter token NAME ROLES}: a new bearer token (32 random bytes, base64url) and the line that lets the services
 * accept it (auth.proto): the token goes to its holder only, the line into the tokens file every service reads
 * ({@code arbiter.auth.tokens-file}, the chart's {@code auth.existingSecret}). Talks to no service.
 */
@Command(name = "token", mixinStandardHelpOptions = true, sortOptions = false,
        header = "A new bearer token for a caller, and its line for the services' tokens file.",
        description = {"Prints a new random token (give it only to its holder; it is shown once) and the tokens-file line"
                + " NAME SHA256 ROLES, which holds only the token's digest. Roles: read, decide, admin, optimizer, rules"
                + " (auth.proto says which RPC admits which). Talks to no service.%n"})
public class TokenCommand extends CliCommand {

    private static final SecureRandom RANDOM = new SecureRandom();

    @Parameters(index = "0", paramLabel = "NAME", description = "Who holds the token (letters, digits, '.', '_', '-'), e.g. ops-alice.")
    String name;

    @Parameters(index = "1", paramLabel = "ROLES", split = ",", description = "Comma-separated roles, e.g. read,admin.")
    Set<String> roles;

    @Override
    public Integer call() {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw new UsageError("NAME must be 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit; got '"
                    + name + "'");
        }
        for (String r : roles) {
            if (!Tokens.ROLES.contains(r)) {
                throw new UsageError("unknown role '" + r + "'; roles are " + String.join(", ", new TreeSet<>(Tokens.ROLES)));
            }
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        out().println("token (for " + name + " only; shown once):");
        out().println("  " + token);
        out().println("tokens-file line (arbiter.auth.tokens-file):");
        out().println("  " + name + " " + Tokens.sha256(token) + " " + String.join(",", new TreeSet<>(roles)));
        out().flush();
        return 0;
    }
}
