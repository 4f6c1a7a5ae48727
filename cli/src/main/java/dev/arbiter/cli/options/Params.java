package dev.arbiter.cli.options;

import dev.arbiter.cli.client.UsageError;
import dev.arbiter.proto.v1.ParameterValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** {@code name=value} options ({@code --param}, {@code --member-param}) as typed ParameterValues. */
public final class Params {

    private static final Pattern INTEGER = Pattern.compile("[-+]?\\d+");

    private Params() {
    }

    /**
     * Parses each {@code name=value}: a whole number is an int_value, another number a double_value, anything else a
     * string_value (a categorical choice).
     *
     * @throws UsageError naming the option for an entry without '=' or with an empty name, or a name given twice
     */
    public static Map<String, ParameterValue> parse(String option, List<String> entries) {
        Map<String, ParameterValue> values = new LinkedHashMap<>();
        for (String e : entries) {
            int eq = e.indexOf('=');
            if (eq <= 0) {
                throw new UsageError(option + " '" + e + "' is not name=value, e.g. " + option + " max_depth=4");
            }
            String name = e.substring(0, eq).trim();
            if (values.put(name, value(e.substring(eq + 1).trim())) != null) {
                throw new UsageError(option + " gives " + name + " twice; give each name once");
            }
        }
        return values;
    }

    /** One value, typed as {@link #parse} types it. */
    public static ParameterValue value(String text) {
        if (INTEGER.matcher(text).matches()) {
            try {
                return ParameterValue.newBuilder().setIntValue(Long.parseLong(text)).build();
            } catch (NumberFormatException tooLarge) {
                // falls through to a double
            }
        }
        try {
            if (!text.isEmpty() && !text.matches(".*[a-zA-Z&&[^eE]].*")) {
                return ParameterValue.newBuilder().setDoubleValue(Double.parseDouble(text)).build();
            }
        } catch (NumberFormatException notANumber) {
            // a string
        }
        return ParameterValue.newBuilder().setStringValue(text).build();
    }

    /** A value as text, for tables. */
    public static String text(ParameterValue v) {
        return switch (v.getKindCase()) {
            case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
            case INT_VALUE -> Long.toString(v.getIntValue());
            case STRING_VALUE -> v.getStringValue();
            case KIND_NOT_SET -> "";
        };
    }
}
