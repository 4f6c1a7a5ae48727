package dev.arbiter.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.cli.Cli;
import dev.arbiter.cli.client.Failures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code arbiter demo} refuses a wrong command line or an unusable CSV with exit code 2 and a message that says what
 * to change, before it starts any service (these runs have no services and no jars to start).
 */
class DemoOptionsTest {

    @TempDir
    Path dir;

    private Cli.Result demo(String... args) {
        String[] all = new String[args.length + 5];
        all[0] = "demo";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--out";
        all[args.length + 2] = dir.resolve("out").toString();
        all[args.length + 3] = "--home";
        all[args.length + 4] = dir.resolve("no-such-repository").toString();
        return Cli.run(all);
    }

    @Test
    void aTrainFractionOutsideZeroToOneIsRefused() {
        Cli.Result r = demo("--train-fraction", "1.5");
        assertEquals(Failures.USAGE, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--train-fraction is 1.5; give a share strictly between 0 and 1"), r.err());
    }

    @Test
    void aModelNamePrefixModelServiceWouldRefuseIsRefusedHere() {
        Cli.Result r = demo("--name", "My Demo");
        assertEquals(Failures.USAGE, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--name 'My Demo' must be lowercase letters, digits"), r.err());
    }

    @Test
    void tooFewRowsToTrainOnIsRefusedWithTheCounts() {
        Cli.Result r = demo("--rows", "300");
        assertEquals(Failures.USAGE, r.exitCode(), r.toString());
        assertTrue(r.err().contains("the series has 300 usable rows; the demo needs at least 200 to train on"), r.err());
    }

    @Test
    void aColumnTheCsvDoesNotHaveIsRefusedWithTheColumnsItHas() throws Exception {
        Path csv = dir.resolve("prices.csv");
        Files.writeString(csv, "date,close\n2024-01-02,10\n");
        Cli.Result r = demo("--data", csv.toString(), "--time-col", "date", "--value-col", "price");
        assertEquals(Failures.USAGE, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--value-col 'price' is not in the CSV header; its columns are [date, close]"), r.err());
    }

    @Test
    void rowsOutOfTimeOrderAreRefusedWithTheLine() throws Exception {
        Path csv = dir.resolve("prices.csv");
        Files.writeString(csv, "date,close\n2024-01-03,10\n2024-01-02,11\n");
        Cli.Result r = demo("--data", csv.toString(), "--time-col", "date", "--value-col", "close");
        assertEquals(Failures.USAGE, r.exitCode(), r.toString());
        assertTrue(r.err().contains("line 3 is not later than the row before it"), r.err());
    }

    @Test
    void aMissingServiceJarSaysHowToBuildIt() {
        Cli.Result r = demo("--rows", "600");
        assertEquals(Failures.USAGE, r.exitCode(), r.toString());
        assertTrue(r.err().contains("feature-service/target/quarkus-app/quarkus-run.jar is missing: build the services first"),
                r.err());
    }
}
