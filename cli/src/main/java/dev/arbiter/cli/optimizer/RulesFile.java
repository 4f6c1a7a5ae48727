package dev.arbiter.cli.optimizer;

import dev.arbiter.cli.client.UsageError;
import dev.arbiter.proto.v1.Rule;
import dev.arbiter.proto.v1.RuleKind;
import dev.arbiter.proto.v1.RuleSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file of CEL rules for {@code backtest --rules-file}, one rule a line, in evaluation order:
 * <pre>
 * # comment lines start with '#'
 * gate   calm_markets: features.vol_20 &lt; 0.03
 * sizing half_in_doubt: agreement &lt; 0.75 ? 0.5 : 1.0
 * </pre>
 * The service parses and type-checks each expression and names the rule when one is wrong.
 */
public final class RulesFile {

    private static final Pattern LINE = Pattern.compile("(gate|sizing)\\s+([^\\s:]+)\\s*:\\s*(.+)");

    private RulesFile() {
    }

    public static RuleSet read(Path file) throws IOException {
        return parse(file.toString(), Files.readAllLines(file));
    }

    static RuleSet parse(String name, List<String> lines) {
        RuleSet.Builder rules = RuleSet.newBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new UsageError("rules file " + name + ", line " + (i + 1) + ": expected '<gate|sizing> <rule_id>: "
                        + "<CEL expression>', e.g. 'gate calm: features.vol_20 < 0.03'");
            }
            rules.addRules(Rule.newBuilder()
                    .setKind(m.group(1).equals("gate") ? RuleKind.RULE_KIND_GATE : RuleKind.RULE_KIND_SIZING)
                    .setRuleId(m.group(2))
                    .setExpression(m.group(3).strip())
                    .setDescription("from " + name + ", line " + (i + 1)));
        }
        if (rules.getRulesCount() == 0) {
            throw new UsageError("rules file " + name + " has no rules; write one a line: '<gate|sizing> <rule_id>: <CEL expression>'");
        }
        return rules.build();
    }
}
