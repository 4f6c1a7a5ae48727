package dev.arbiter.cli.rules;

import dev.arbiter.proto.v1.Rule;
import dev.arbiter.proto.v1.RuleKind;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The rule a command sends: its expression, id, kind and description. */
public class RuleOptions {

    /** The kinds as the command line spells them. */
    public enum Kind {
        gate(RuleKind.RULE_KIND_GATE), sizing(RuleKind.RULE_KIND_SIZING);

        final RuleKind proto;

        Kind(RuleKind proto) {
            this.proto = proto;
        }
    }

    @Parameters(index = "0", paramLabel = "EXPRESSION",
            description = "The CEL expression, e.g. 'agreement >= 0.6 && features.vol_20 < 0.03'.")
    String expression;

    @Option(names = "--id", paramLabel = "RULE_ID", defaultValue = "candidate",
            description = "The rule's id: lowercase letters, digits and '_' (default: ${DEFAULT-VALUE}).")
    String ruleId;

    @Option(names = "--kind", paramLabel = "KIND", defaultValue = "gate",
            description = "${COMPLETION-CANDIDATES}: a gate is a bool that lets a decision act; a sizing rule is a "
                    + "double that multiplies its size (default: ${DEFAULT-VALUE}).")
    Kind kind;

    @Option(names = "--description", paramLabel = "TEXT", defaultValue = "",
            description = "What the rule is for, in one sentence.")
    String description;

    Rule rule() {
        return Rule.newBuilder().setRuleId(ruleId).setKind(kind.proto).setExpression(expression)
                .setDescription(description).build();
    }
}
