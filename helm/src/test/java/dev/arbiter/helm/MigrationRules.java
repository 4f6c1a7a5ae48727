package dev.arbiter.helm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The expand-then-contract rule for Flyway migrations, so that during a rolling upgrade the previous version of a
 * service keeps working on the schema the new version migrated: a migration may add (tables, nullable columns or
 * columns with a default, indexes, rows) but may not remove, rename or tighten what a running older version reads or
 * writes. A contract step (dropping what the previous release stopped using) is a migration of its own whose first
 * line is {@code -- contract: <why>, safe since release <version>}, shipped at least one release after the release
 * that stopped using it.
 */
final class MigrationRules {

    /** A statement the rule refuses, and why. */
    record Violation(Path file, String statement, String rule) {
        @Override
        public String toString() {
            return file.getFileName() + ": " + rule + ": " + statement;
        }
    }

    private record Rule(Pattern pattern, String why) {}

    private static final List<Rule> RULES = List.of(
            new Rule(Pattern.compile("\\bDROP\\s+(TABLE|COLUMN|VIEW|SCHEMA|TYPE|FUNCTION|SEQUENCE)\\b"),
                    "drops what the previous version may still read or write"),
            new Rule(Pattern.compile("\\bALTER\\s+TABLE\\b.*\\bDROP\\s+(?!CONSTRAINT|DEFAULT|NOT\\s+NULL)\\w+"),
                    "drops a column the previous version may still read or write"),
            new Rule(Pattern.compile("\\bRENAME\\b"), "renames what the previous version reads or writes by its old name"),
            new Rule(Pattern.compile("\\bALTER\\s+COLUMN\\b.*\\b(TYPE|SET\\s+DATA\\s+TYPE)\\b"),
                    "changes a column's type under the previous version"),
            new Rule(Pattern.compile("\\bALTER\\s+COLUMN\\b.*\\bSET\\s+NOT\\s+NULL\\b"),
                    "makes a column required that the previous version does not write"),
            new Rule(Pattern.compile("^(?!.*\\bDEFAULT\\b).*\\bADD\\s+(COLUMN\\s+)?(?!CONSTRAINT\\b)\\w+\\s+.*\\bNOT\\s+NULL\\b"),
                    "adds a required column without a default, which the previous version's inserts do not fill"),
            new Rule(Pattern.compile("\\bADD\\s+CONSTRAINT\\b(?!.*\\bNOT\\s+VALID\\b)"),
                    "adds a constraint the previous version's writes may not meet (add it NOT VALID, validate later)"),
            new Rule(Pattern.compile("^\\s*(TRUNCATE|DELETE\\s+FROM)\\b"), "deletes rows the previous version may need"));

    private MigrationRules() {}

    /** Every migration of every service under {@code root}: MODULE/src/main/resources/db/migration/V*.sql. */
    static List<Path> migrations(Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        try (var modules = Files.list(root)) {
            for (Path m : modules.sorted().toList()) {
                Path dir = m.resolve("src/main/resources/db/migration");
                if (Files.isDirectory(dir)) {
                    try (var files = Files.list(dir)) {
                        files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql")).sorted().forEach(out::add);
                    }
                }
            }
        }
        return out;
    }

    /** The violations in one migration; none for a marked contract step. */
    static List<Violation> check(Path file) throws IOException {
        String sql = Files.readString(file);
        if (sql.lines().findFirst().orElse("").matches("--\\s*contract:.*\\bsafe since release\\s+\\S+.*")) {
            return List.of();
        }
        List<Violation> out = new ArrayList<>();
        for (String statement : statements(sql)) {
            String upper = statement.toUpperCase(Locale.ROOT);
            if (upper.startsWith("CREATE TABLE")) {
                continue; // a new table: nothing older uses it
            }
            for (Rule r : RULES) {
                if (r.pattern().matcher(upper).find()) {
                    out.add(new Violation(file, statement, r.why()));
                    break;
                }
            }
        }
        return out;
    }

    /** The statements of a script: comments removed, split on semicolons, whitespace collapsed. */
    static List<String> statements(String sql) {
        StringBuilder b = new StringBuilder();
        for (String line : sql.split("\n")) {
            int comment = line.indexOf("--");
            b.append(comment >= 0 ? line.substring(0, comment) : line).append(' ');
        }
        List<String> out = new ArrayList<>();
        for (String s : b.toString().split(";")) {
            String t = s.trim().replaceAll("\\s+", " ");
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }
}
