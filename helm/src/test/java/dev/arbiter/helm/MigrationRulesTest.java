package dev.arbiter.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every service's migrations follow the expand-then-contract rule (MigrationRules), and the check can fail. */
class MigrationRulesTest {

    @Test
    void everyExistingMigrationOnlyExpands() throws Exception {
        List<Path> migrations = MigrationRules.migrations(Path.of(".."));
        assertTrue(migrations.size() >= 16, "the services' migrations were found: " + migrations);
        for (String service : List.of("decision-service", "model-service", "optimizer-service", "rule-service")) {
            assertTrue(migrations.stream().anyMatch(p -> p.toString().contains(service)), service);
        }
        for (Path m : migrations) {
            assertEquals(List.of(), MigrationRules.check(m), m.toString());
        }
    }

    @Test
    void everyContractingStatementIsRefused(@TempDir Path tmp) throws Exception {
        List<String> refused = List.of(
                "DROP TABLE decision_dead_letter;",
                "ALTER TABLE decision DROP COLUMN shadow_size;",
                "ALTER TABLE decision DROP shadow_size;",
                "ALTER TABLE decision RENAME COLUMN size TO position_size;",
                "ALTER TABLE rule_set RENAME TO rule_sets;",
                "ALTER TABLE decision ALTER COLUMN size TYPE numeric;",
                "ALTER TABLE decision ALTER COLUMN shadow_id SET NOT NULL;",
                "ALTER TABLE decision ADD COLUMN venue text NOT NULL;",
                "ALTER TABLE decision ADD venue text NOT NULL;",
                "ALTER TABLE decision ADD CONSTRAINT size_positive CHECK (size >= 0);",
                "TRUNCATE decision;",
                "DELETE FROM decision WHERE degraded;");
        int i = 0;
        for (String sql : refused) {
            Path f = tmp.resolve("V" + ++i + "__bad.sql");
            Files.writeString(f, "-- a change\n" + sql + "\n");
            assertEquals(1, MigrationRules.check(f).size(), sql);
        }
    }

    @Test
    void expandingStatementsAndMarkedContractStepsPass(@TempDir Path tmp) throws Exception {
        Path expand = tmp.resolve("V1__expand.sql");
        Files.writeString(expand, """
                -- expand only
                CREATE TABLE venue (id text PRIMARY KEY, name text NOT NULL);
                ALTER TABLE decision ADD COLUMN venue text;
                ALTER TABLE decision ADD COLUMN attempts integer NOT NULL DEFAULT 0;
                ALTER TABLE decision ADD CONSTRAINT attempts_positive CHECK (attempts >= 0) NOT VALID;
                CREATE INDEX decision_venue ON decision (venue);
                DROP INDEX decision_old_index;
                INSERT INTO live_lock (kind) VALUES ('venues');
                UPDATE decision SET venue = 'main' WHERE venue IS NULL;
                """);
        assertEquals(List.of(), MigrationRules.check(expand));
        Path contract = tmp.resolve("V2__contract.sql");
        Files.writeString(contract, "-- contract: nothing reads shadow_size since 0.3.0, safe since release 0.4.0\n"
                + "ALTER TABLE decision DROP COLUMN shadow_size;\n");
        assertEquals(List.of(), MigrationRules.check(contract), "a marked contract step");
        Path unmarked = tmp.resolve("V3__contract.sql");
        Files.writeString(unmarked, "-- contract: nothing reads it\nALTER TABLE decision DROP COLUMN shadow_size;\n");
        assertEquals(1, MigrationRules.check(unmarked).size(), "a contract step must say since which release it is safe");
    }
}
