package dev.arbiter.cli.client;

/**
 * Something the user asked for that cannot be done as asked, found after parsing (a file that does not exist, a
 * CSV column that is not in the header): exit code 2, like any other usage error.
 */
public final class UsageError extends RuntimeException {

    public UsageError(String message) {
        super(message, null, false, false);
    }
}
