package dev.arbiter.cli.client;

import io.grpc.Status;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;

/**
 * Turns a failed call into plain words with the fix, and into the exit code: {@link #REFUSED} when a service
 * answered and refused, {@link #UNAVAILABLE} when it could not be reached or did not answer in time.
 */
public final class Failures {

    /** Exit code: done. */
    public static final int OK = 0;
    /** Exit code: a service refused the request (bad input, unknown name, failed precondition...). */
    public static final int REFUSED = 1;
    /** Exit code: the command line itself is wrong (an option, a file, a column). */
    public static final int USAGE = 2;
    /** Exit code: a service did not answer. */
    public static final int UNAVAILABLE = 3;

    private Failures() {
    }

    public static int exitCode(ServiceError e) {
        return switch (e.status.getCode()) {
            case UNAVAILABLE, DEADLINE_EXCEEDED -> UNAVAILABLE;
            default -> REFUSED;
        };
    }

    /** One or two sentences: what happened, and what to do. */
    public static String message(ServiceError e) {
        Status s = e.status;
        String who = e.service.displayName;
        String description = s.getDescription() == null ? "" : s.getDescription();
        return switch (s.getCode()) {
            case UNAVAILABLE -> notReached(s)
                    ? who + " does not answer at " + e.address + ": start it (see README) or pass "
                            + e.service.option + " host:port"
                    : who + " at " + e.address + " is not available right now: " + description
                            + (description.toLowerCase().contains("retry") ? "" : "; retry in a moment");
            case DEADLINE_EXCEEDED -> who + " at " + e.address + " did not answer in time (" + description
                    + "): pass a longer --timeout (request/answer calls) or --stream-timeout (streams), or look at its log";
            case UNIMPLEMENTED -> who + " at " + e.address + " does not implement this call (UNIMPLEMENTED): it is an older "
                    + "version than this CLI; rebuild and restart it";
            case INTERNAL, UNKNOWN, DATA_LOSS -> who + " failed (" + s.getCode() + "): " + description
                    + "; its log at " + e.address + " says more";
            case CANCELLED -> "the call to " + who + " was cancelled" + (description.isEmpty() ? "" : ": " + description);
            case RESOURCE_EXHAUSTED -> who + " refused (RESOURCE_EXHAUSTED): " + description;
            default -> who + " refused (" + s.getCode() + "): " + description;
        };
    }

    /** True when the channel never reached the service (nothing listening, unknown host), as opposed to it saying UNAVAILABLE. */
    private static boolean notReached(Status s) {
        for (Throwable t = s.getCause(); t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return true;
            }
        }
        String d = s.getDescription() == null ? "" : s.getDescription().toLowerCase();
        return s.getCause() != null || d.startsWith("io exception") || d.contains("connection refused")
                || d.contains("unable to resolve");
    }
}
