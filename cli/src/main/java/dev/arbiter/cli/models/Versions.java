package dev.arbiter.cli.models;

import dev.arbiter.cli.client.UsageError;

/** Model version numbers as users write them: "3" or "v3". */
final class Versions {

    private Versions() {
    }

    static int parse(String what, String text) {
        String t = text.startsWith("v") || text.startsWith("V") ? text.substring(1) : text;
        try {
            int v = Integer.parseInt(t);
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new UsageError(what + " '" + text + "' is not a version number; versions are 1, 2, ... (or v1, v2, ...)");
    }
}
