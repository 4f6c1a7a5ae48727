package dev.arbiter.rules.llm;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.arbiter.engine.rules.RuleCompiler;
import dev.arbiter.engine.rules.RuleKind;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One LLM answer to "propose one rule", parsed strictly. The answer must be exactly one bare JSON object with the four
 * string fields {@code kind} ("GATE" or "SIZING"), {@code name} (1-64 of [a-z0-9_]), {@code expression} (CEL, at most
 * 2,000 characters) and {@code rationale} (1-1,000 characters of plain prose), and nothing else: no markdown around
 * it, no second object, no array, no unknown or repeated fields, no comments. A rationale that tries to instruct
 * whoever reads it (prompt injection) is refused too: it is stored and may reach a later prompt or a person.
 *
 * <p>Nothing in an answer is ever executed: the expression goes on to {@code ProposalChecks}, which only parses,
 * checks and evaluates it as CEL under bounds.
 */
public final class ProposalAnswer {

    /** Longest answer read at all, in characters. */
    public static final int MAX_ANSWER_CHARS = 16_384;
    /** Longest rationale, in characters. */
    public static final int MAX_RATIONALE_CHARS = 1_000;

    private static final Set<String> FIELDS = Set.of("kind", "name", "expression", "rationale");
    private static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,64}");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}&&[^\\n\\t]]|[\\u202A-\\u202E\\u2066-\\u2069\\u200B-\\u200F]");
    /** Phrases that address the reader instead of explaining the rule. */
    private static final List<Pattern> INJECTION = List.of(
            Pattern.compile("\\b(ignore|disregard|forget|override)\\b.{0,40}\\b(instruction|instructions|rules|prompt|above|previous|prior|validation|checks?)\\b"),
            Pattern.compile("\\bsystem\\s+prompt\\b"),
            Pattern.compile("\\byou\\s+(are|must|should|will)\\s+(now|not|always|promote|approve|accept|skip)\\b"),
            Pattern.compile("\\b(promote|approve|accept)\\s+(this|the)\\s+(rule|proposal)\\s+(immediately|now|without)\\b"),
            Pattern.compile("\\bskip\\s+(the\\s+)?(validation|backtest|shadow|checks?)\\b"),
            Pattern.compile("\\b(developer|admin|god)\\s+mode\\b|\\bjailbreak\\b"),
            Pattern.compile("(^|\\n)\\s*(system|assistant|user|developer)\\s*:"),
            Pattern.compile("<\\|[a-z_]+\\|>|\\[/?inst\\]|</?(system|assistant|user)>"),
            Pattern.compile("```"));
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    /** A parsed proposal: the rule as the proposer gave it. */
    public record Proposal(RuleKind kind, String name, String expression, String rationale) {}

    /** The outcome: exactly one of {@code proposal} and {@code refusal} is set. */
    public record Parsed(Proposal proposal, String refusal) {

        static Parsed refused(String why) {
            return new Parsed(null, why);
        }

        public boolean accepted() {
            return proposal != null;
        }
    }

    private ProposalAnswer() {
    }

    /** Parses {@code answer}; a refusal says what was wrong, to be stored with the raw answer. */
    public static Parsed parse(String answer) {
        if (answer == null || answer.isBlank()) {
            return Parsed.refused("the answer is empty");
        }
        if (answer.length() > MAX_ANSWER_CHARS) {
            return Parsed.refused("the answer has " + answer.length() + " characters, more than " + MAX_ANSWER_CHARS);
        }
        String text = answer.strip();
        if (text.startsWith("[")) {
            return Parsed.refused("the answer is a JSON array: one rule was asked for, as one object");
        }
        if (!text.startsWith("{") || !text.endsWith("}")) {
            return Parsed.refused("the answer is not one bare JSON object (text or markdown around it); it must start with "
                    + "'{' and end with '}'");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String m = e.getOriginalMessage();
            if (m != null && m.contains("Trailing token")) {
                return Parsed.refused("the answer holds more than one JSON value: one rule was asked for, as one object");
            }
            return Parsed.refused("the answer is not valid JSON: " + (m == null ? e.getClass().getSimpleName() : m));
        }
        if (!root.isObject()) {
            return Parsed.refused("the answer is not a JSON object");
        }
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String n = names.next();
            if (!FIELDS.contains(n)) {
                unknown.add(n);
            }
        }
        if (root.has("rules") || root.has("proposals")) {
            return Parsed.refused("the answer lists several rules: one rule was asked for, as one object");
        }
        if (!unknown.isEmpty()) {
            return Parsed.refused("the answer has field(s) " + unknown + " besides kind, name, expression and rationale");
        }
        for (String f : List.of("kind", "name", "expression", "rationale")) {
            JsonNode v = root.get(f);
            if (v == null || !v.isTextual()) {
                return Parsed.refused("the answer's " + f + " is " + (v == null ? "missing" : "not a string"));
            }
        }
        String kindText = root.get("kind").textValue();
        RuleKind kind;
        if ("GATE".equals(kindText)) {
            kind = RuleKind.GATE;
        } else if ("SIZING".equals(kindText)) {
            kind = RuleKind.SIZING;
        } else {
            return Parsed.refused("the answer's kind is \"" + abbreviate(kindText) + "\"; it must be GATE or SIZING");
        }
        String name = root.get("name").textValue();
        if (!NAME.matcher(name).matches()) {
            return Parsed.refused("the answer's name \"" + abbreviate(name) + "\" is not 1-64 lowercase letters, digits or '_'");
        }
        String expression = root.get("expression").textValue();
        if (expression.isBlank()) {
            return Parsed.refused("the answer's expression is empty");
        }
        if (expression.length() > RuleCompiler.MAX_EXPRESSION_LENGTH) {
            return Parsed.refused("the answer's expression has " + expression.length() + " characters, more than "
                    + RuleCompiler.MAX_EXPRESSION_LENGTH);
        }
        String rationale = root.get("rationale").textValue();
        if (rationale.isBlank() || rationale.length() > MAX_RATIONALE_CHARS) {
            return Parsed.refused("the answer's rationale has " + rationale.strip().length() + " characters; it must have 1-"
                    + MAX_RATIONALE_CHARS);
        }
        for (String f : List.of(expression, rationale)) {
            if (CONTROL.matcher(f).find()) {
                return Parsed.refused("the answer holds control or direction-override characters");
            }
        }
        String lower = rationale.toLowerCase(Locale.ROOT);
        for (Pattern p : INJECTION) {
            if (p.matcher(lower).find()) {
                return Parsed.refused("the answer's rationale addresses its reader instead of explaining the rule "
                        + "(prompt injection: \"" + abbreviate(p.matcher(lower).results().findFirst().orElseThrow().group().strip()) + "\")");
            }
        }
        return new Parsed(new Proposal(kind, name, expression.strip(), rationale.strip()), null);
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
