package dev.arbiter.service;

import static dev.arbiter.service.RequestRefused.invalid;

/**
 * The rules every service applies to identifiers (series ids) and to free text it stores (authors, reasons), so that
 * nothing a client sends can be refused later by PostgreSQL, whose text type cannot hold NUL (SQLSTATE 22021), or
 * break a log line or a Redis key. An identifier is 1 to {@code maxLength} characters with no control character
 * (U+0000–U+001F, U+007F–U+009F) and no unpaired surrogate; free text may hold tab and line breaks.
 */
public final class Identifiers {

    private Identifiers() {}

    /**
     * Refuses a missing, too long or unprintable identifier.
     *
     * @param field   the request field, e.g. "observation.series_id"
     * @param what    what the identifier names, for the fix, e.g. "the series this value belongs to"
     */
    public static String requireIdentifier(String field, String value, int maxLength, String what) {
        if (value == null || value.isBlank()) {
            throw invalid(field, field + " is missing; name " + what);
        }
        return printable(field, value, maxLength, false,
                "identifiers are printable text: no control characters (NUL included) and valid UTF-16");
    }

    /** Refuses free text (an author, a reason) that holds NUL, another control character or an unpaired surrogate. */
    public static String requireText(String field, String value, int maxLength) {
        return printable(field, value, maxLength, true,
                "send printable text (tabs and line breaks are allowed, NUL and other control characters are not)");
    }

    private static String printable(String field, String value, int maxLength, boolean allowWhitespace, String fix) {
        if (value.length() > maxLength) {
            throw invalid(field, field + " is " + value.length() + " characters long; use at most " + maxLength);
        }
        int bad = firstUnprintable(value, 0, allowWhitespace);
        if (bad >= 0) {
            throw invalid(field, field + " holds " + describe(value, bad) + " at index " + bad + "; " + fix);
        }
        return value;
    }

    /** The index of the first control character or unpaired surrogate at or after {@code from}, or -1. */
    static int firstUnprintable(String s, int from, boolean allowWhitespaceControls) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return i;
            }
            if (Character.isLowSurrogate(c)) {
                return i;
            }
            if (Character.isISOControl(c) && !(allowWhitespaceControls && (c == '\t' || c == '\n' || c == '\r'))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The text with every character these rules refuse (control characters, unpaired surrogates) written as
     * {@code \\uXXXX}: storable in any text column and safe in a log line, for text that was never checked (a
     * refused row kept for the operators).
     */
    public static String escaped(String s) {
        StringBuilder b = new StringBuilder(s.length());
        int at = 0;
        for (int bad; (bad = firstUnprintable(s, at, false)) >= 0; at = bad + 1) {
            b.append(s, at, bad).append(String.format("\\u%04x", (int) s.charAt(bad)));
        }
        return b.append(s, at, s.length()).toString();
    }

    private static String describe(String s, int i) {
        char c = s.charAt(i);
        String code = String.format("U+%04X", (int) c);
        if (c == 0) {
            return "a NUL character (" + code + ")";
        }
        return Character.isSurrogate(c) ? "an unpaired surrogate (" + code + ")" : "a control character (" + code + ")";
    }
}
