package dev.arbiter.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The results of a run, as lines and tables: printed aligned on the terminal, or written as a Markdown section
 * (with the command line and the machine) ready to paste into bench/README.md.
 */
final class Report {

    private static final String[] COLUMNS = {"offered/s", "sent", "answered", "errors", "p50 ms", "p90 ms", "p99 ms",
            "p99.9 ms", "max ms", "achieved/s", "max lag ms"};

    private final List<Object> parts = new ArrayList<>();

    /** Everything a run measured, the targets and whether each is met. */
    static Report of(LoadGenerator run, Result floor, Result decide, List<Result> ladder) {
        Report r = new Report();
        r.parts.add(f("decision-service at %s; %d/s for %s s after %s s of warm-up; %d series; latency budget %s",
                run.decisions, run.rate, number(run.duration), number(run.warmup), run.series,
                run.budgetMs == 0 ? "the service's default" : run.budgetMs + " ms"));
        Table phases = new Table(header("phase"));
        phases.row(cells(floor));
        phases.row(cells(decide));
        r.parts.add(phases);
        r.parts.add(f("Decide ÷ floor: p50 %.2f×, p99 %.2f×", decide.ms(50) / floor.ms(50), decide.ms(99) / floor.ms(99)));
        r.parts.add(f("Decide inside decision-service (Decision.latency.total_micros): p50 %.3f ms, p99 %.3f ms",
                decide.serverMs(50), decide.serverMs(99)));
        r.parts.add(f("decisions: %d, degraded %d; %s", decide.answered(), decide.degraded(),
                decide.directions().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))));
        decide.degradedReasons().entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(5)
                .forEach(e -> r.parts.add(f("  degraded %d: %s", e.getValue(), e.getKey())));

        Table steps = new Table(header("DecideStream", "sustained"));
        Long highest = null;
        for (Result step : ladder) {
            String shortfall = step.shortfall(LoadGenerator.SUSTAINED_ANSWERED_SHARE, run.maxP99Ms);
            steps.row(cells(step, shortfall == null ? "yes" : "no: " + shortfall));
            if (shortfall == null) {
                highest = step.rate();
            }
        }
        r.parts.add(steps);
        r.parts.add(f("highest sustained DecideStream rate: %s (%d streams, at most %d unanswered each; sustained = at"
                        + " least %.0f%% answered within the step and %s s, no errors, p99 ≤ %s ms)",
                highest == null ? "none of the offered rates" : highest + "/s", run.streams, run.window,
                LoadGenerator.SUSTAINED_ANSWERED_SHARE * 100, number(run.drain), number(run.maxP99Ms)));

        Stream.concat(Stream.of(floor, decide), ladder.stream()).filter(p -> p.errorCount() > 0)
                .forEach(p -> r.parts.add("errors in " + p.name() + ": " + p.errorSummary()));
        r.parts.add(target("p50 ≤ " + number(run.targetP50Ms) + " ms at " + run.rate + "/s", decide.ms(50) <= run.targetP50Ms,
                f("%.3f ms", decide.ms(50))));
        r.parts.add(target("p99 ≤ " + number(run.targetP99Ms) + " ms at " + run.rate + "/s", decide.ms(99) <= run.targetP99Ms,
                f("%.3f ms", decide.ms(99))));
        r.parts.add(target("p50 ≤ " + number(run.targetFloorRatio) + "× the floor's p50",
                decide.ms(50) <= run.targetFloorRatio * floor.ms(50), f("%.2f×", decide.ms(50) / floor.ms(50))));
        return r;
    }

    private static String[] header(String first, String... more) {
        return Stream.of(Stream.of(first), Stream.of(COLUMNS), Stream.of(more)).flatMap(x -> x).toArray(String[]::new);
    }

    /** The name, the {@link #COLUMNS}, then {@code more}. */
    private static Object[] cells(Result r, Object... more) {
        boolean any = r.answered() > 0;
        Object[] common = {r.name(), r.rate(), r.sent(), r.answered(), r.errorCount(), ms(any, r.ms(50)), ms(any, r.ms(90)),
                ms(any, r.ms(99)), ms(any, r.ms(99.9)), ms(any, r.maxMs()), f("%.0f", r.throughput()),
                f("%.3f", r.maxLagMs())};
        return Stream.concat(Stream.of(common), Stream.of(more)).toArray();
    }

    private static String ms(boolean any, double ms) {
        return any ? f("%.3f", ms) : "–";
    }

    private static String target(String what, boolean met, String measured) {
        return "target " + what + ": " + (met ? "met" : "not met") + " (" + measured + ")";
    }

    /** 2 rather than 2.0, 0.5 as is. */
    static String number(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    String plain() {
        return render(Table::plain, "");
    }

    /** A Markdown section: heading, command line, date, machine, then the same numbers. */
    String markdown(String commandLine, String loadAtStart, String loadAtEnd) {
        return "### Decide under load, "
                + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"))
                + "\n\n`" + commandLine + "`\n\n"
                + "Machine: " + Runtime.getRuntime().availableProcessors() + " processors (" + cpuModel() + "), load average "
                + loadAtStart + " at the start and " + loadAtEnd + " at the end; " + System.getProperty("java.vm.name") + " "
                + Runtime.version() + ".\n\n"
                + render(Table::markdown, "- ");
    }

    /** Lines one after the other (each after {@code bullet}), a blank line around each table. */
    private String render(Function<Table, String> table, String bullet) {
        StringBuilder b = new StringBuilder();
        for (Object p : parts) {
            if (p instanceof Table t) {
                b.append(b.isEmpty() || b.toString().endsWith("\n\n") ? "" : "\n").append(table.apply(t)).append('\n');
            } else {
                b.append(bullet).append(p).append('\n');
            }
        }
        return b.toString();
    }

    void write(Path file, String commandLine, String loadAtStart, String loadAtEnd) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, markdown(commandLine, loadAtStart, loadAtEnd));
    }

    /** The first three fields of /proc/loadavg, or "n/a" where there is none. */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse(System.getProperty("os.arch"));
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }

    /** String.format without the machine's locale: 0.123, never 0,123. */
    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
