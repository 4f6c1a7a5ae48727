package dev.arbiter.service;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ports a Quarkus service actually bound, read from the two lines Quarkus prints once it listens:
 * {@code Started gRPC server on 0.0.0.0:34309 [TLS enabled: false]} and
 * {@code ... started in 2.968s. Listening on: http://0.0.0.0:35347}. {@link LocalService} starts every service on port
 * 0 (the kernel picks a free port while binding, so no other process can take it in between) and reads them here.
 */
record BoundPorts(int grpc, int http) {

    private static final Pattern GRPC = Pattern.compile("gRPC server on \\S*:(\\d+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern HTTP = Pattern.compile("Listening on: https?://\\S*:(\\d+)");

    /** The ports reported in {@code log} (one process's output), or empty while either line is still missing. */
    static Optional<BoundPorts> in(CharSequence log) {
        OptionalInt grpc = first(GRPC, log);
        OptionalInt http = first(HTTP, log);
        return grpc.isPresent() && http.isPresent()
                ? Optional.of(new BoundPorts(grpc.getAsInt(), http.getAsInt()))
                : Optional.empty();
    }

    private static OptionalInt first(Pattern p, CharSequence log) {
        Matcher m = p.matcher(log);
        return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    }
}
