package dev.arbiter.cli.output;

import java.nio.file.Files;
import java.nio.file.Path;

/** How progress is shown on standard error. */
public enum ProgressMode {
    /** a bar when standard error is a terminal, plain lines otherwise */
    AUTO,
    /** a bar redrawn in place */
    BAR,
    /** one plain line per step, for logs and pipes */
    LINES,
    /** nothing */
    OFF;

    @Override
    public String toString() {
        return name().toLowerCase();
    }

    /** AUTO resolved against the real standard error of this process. */
    public ProgressMode resolve() {
        return this != AUTO ? this : stderrIsTerminal() ? BAR : LINES;
    }

    private static boolean stderrIsTerminal() {
        if ("dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        try { // Linux: where file descriptor 2 points
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception notLinux) {
            return System.console() != null;
        }
    }
}
