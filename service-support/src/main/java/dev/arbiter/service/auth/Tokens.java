package dev.arbiter.service.auth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The tokens a service accepts: a file (mounted from a Secret) of one token per line,
 *
 * <pre>
 * # NAME  SHA256-OF-TOKEN (64 hex digits)  ROLE[,ROLE...]
 * decision-service  9f86d081884c7d65...  decide,read
 * </pre>
 *
 * with roles among {@code read decide admin optimizer rules} (arbiter.v1.Role, auth.proto). Only digests are kept,
 * so the file reveals no token; a token is found by the SHA-256 of what a call presents (tokens are long and random,
 * so a digest lookup leaks nothing a comparison would). The file is read again when its modification time changes,
 * at most once per {@link #RECHECK_NANOS}, so a token is added or revoked without a restart; a file that no longer
 * parses keeps the previous table (and is logged by the caller).
 */
public final class Tokens {

    /** The roles of auth.proto's Role, lower case. */
    public static final Set<String> ROLES = Set.of("read", "decide", "admin", "optimizer", "rules");
    static final long RECHECK_NANOS = 1_000_000_000L;

    /** Who presented a token, and what it may do. */
    public record Identity(String name, Set<String> roles) {}

    private final Path file;
    private final long recheckNanos;
    private volatile Map<String, Identity> byDigest;
    private volatile FileTime readAt;
    private volatile long checkedNanos;

    private Tokens(Path file, Map<String, Identity> byDigest, FileTime readAt, long recheckNanos) {
        this.file = file;
        this.recheckNanos = recheckNanos;
        this.byDigest = byDigest;
        this.readAt = readAt;
        this.checkedNanos = System.nanoTime();
    }

    /**
     * Reads {@code file}.
     *
     * @throws IllegalArgumentException naming the line that is wrong and what to write instead
     */
    public static Tokens read(Path file) {
        return read(file, RECHECK_NANOS);
    }

    /** As {@link #read(Path)}, the file checked for changes at most once per {@code recheckNanos}. */
    static Tokens read(Path file, long recheckNanos) {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            return new Tokens(file, parse(file.toString(), lines(file)), modified, recheckNanos);
        } catch (IOException e) {
            throw new UncheckedIOException("tokens file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** The identity whose token this is, or null. */
    public Identity find(String token) {
        recheck();
        return byDigest.get(sha256(token));
    }

    /** How many tokens the table holds. */
    public int size() {
        return byDigest.size();
    }

    private void recheck() {
        long now = System.nanoTime();
        if (now - checkedNanos < recheckNanos) {
            return;
        }
        checkedNanos = now;
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            if (!modified.equals(readAt)) {
                byDigest = parse(file.toString(), lines(file));
                readAt = modified;
            }
        } catch (IOException | IllegalArgumentException e) {
            // keep the table read last; the next check tries again
            org.jboss.logging.Logger.getLogger(Tokens.class).warnf("tokens file %s not reloaded, the previous table stays: %s",
                    file, e.getMessage());
        }
    }

    /**
     * The file's lines as UTF-8 text; a line that is not UTF-8 is refused by its number (found by fuzzing: the plain
     * read failed with "Input length = 1" and no line).
     */
    static List<String> lines(Path file) throws IOException {
        return lines(file.toString(), Files.readAllBytes(file));
    }

    /** {@link #lines(Path)} of a file's bytes; {@code source} names it in errors. */
    static List<String> lines(String source, byte[] bytes) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == '\n') {
                try {
                    lines.add(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, start, i - start)).toString());
                } catch (CharacterCodingException e) {
                    throw new IllegalArgumentException(source + " line " + (lines.size() + 1) + ": not UTF-8 text; write the"
                            + " file as UTF-8 (NAME SHA256 ROLES per line)");
                }
                start = i + 1;
            }
        }
        return lines;
    }

    /** Parses the lines of a tokens file; {@code source} names it in errors. */
    static Map<String, Identity> parse(String source, List<String> lines) {
        Map<String, Identity> out = new HashMap<>();
        Set<String> names = new TreeSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + " line " + (i + 1) + ": ";
            String[] f = line.split("\\s+");
            if (f.length != 3) {
                throw new IllegalArgumentException(where + "write NAME SHA256 ROLE[,ROLE...] (three fields), found " + f.length);
            }
            if (!f[0].matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
                throw new IllegalArgumentException(where + "the name must be 1 to 63 letters, digits, '.', '_' or '-'");
            }
            if (!f[1].matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException(where + "the token's SHA-256 must be 64 hex digits (`arbiter token` prints it)");
            }
            Set<String> roles = new TreeSet<>();
            for (String r : f[2].split(",")) {
                if (!ROLES.contains(r)) {
                    throw new IllegalArgumentException(where + "unknown role '" + r + "'; roles are " + new TreeSet<>(ROLES));
                }
                roles.add(r);
            }
            if (!names.add(f[0])) {
                throw new IllegalArgumentException(where + "the name " + f[0] + " is listed twice");
            }
            if (out.put(f[1].toLowerCase(java.util.Locale.ROOT), new Identity(f[0], Set.copyOf(roles))) != null) {
                throw new IllegalArgumentException(where + "this digest is listed twice");
            }
        }
        return Map.copyOf(out);
    }

    /** The lower-case hex SHA-256 of {@code token}'s UTF-8 bytes: what a tokens file lists. */
    public static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
