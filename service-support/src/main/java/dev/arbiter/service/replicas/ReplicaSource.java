package dev.arbiter.service.replicas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Where the replicas of a service are listed, from one configuration value:
 *
 * <ul>
 *   <li>{@code dns:///NAME:PORT}: every address NAME resolves to (a Kubernetes headless Service lists the ready pods),
 *       each at PORT. The JVM caches lookups ({@code -Dsun.net.inetaddr.ttl}, 30 s by default), so set it at most to
 *       the refresh interval;</li>
 *   <li>{@code file:PATH}: one {@code HOST:PORT} per line (blank lines and {@code #} comments ignored), read again at
 *       every refresh, for hosts outside Kubernetes and the loopback tests;</li>
 *   <li>{@code HOST:PORT,HOST:PORT,...}: a fixed list.</li>
 * </ul>
 *
 * Members are {@code HOST:PORT} strings, sorted and without repeats, so every process reading the same source sees
 * the same list in the same order.
 */
public final class ReplicaSource {

    private final String spec;
    private final Kind kind;
    private final String target;

    private enum Kind { DNS, FILE, LIST }

    private ReplicaSource(String spec, Kind kind, String target) {
        this.spec = spec;
        this.kind = kind;
        this.target = target;
    }

    /**
     * Parses a source.
     *
     * @throws IllegalArgumentException naming what is wrong with {@code spec}
     */
    public static ReplicaSource parse(String spec) {
        String s = spec == null ? "" : spec.strip();
        if (s.startsWith("dns:///")) {
            String hostPort = s.substring("dns:///".length());
            checkHostPort(spec, hostPort);
            return new ReplicaSource(s, Kind.DNS, hostPort);
        }
        if (s.startsWith("file:")) {
            String path = s.substring("file:".length());
            if (path.isBlank()) {
                throw new IllegalArgumentException("replica source \"" + spec + "\" names no file; write file:/path/to/members");
            }
            return new ReplicaSource(s, Kind.FILE, path);
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("replica source is empty; write dns:///NAME:PORT, file:PATH or HOST:PORT,HOST:PORT");
        }
        for (String member : s.split(",")) {
            checkHostPort(spec, member.strip());
        }
        return new ReplicaSource(s, Kind.LIST, s);
    }

    /** The members now: resolved, read or listed. */
    public List<String> members() {
        TreeSet<String> out = new TreeSet<>();
        switch (kind) {
            case DNS -> {
                int colon = target.lastIndexOf(':');
                String host = target.substring(0, colon);
                String port = target.substring(colon + 1);
                try {
                    for (InetAddress a : InetAddress.getAllByName(host)) {
                        out.add(a.getHostAddress() + ":" + port);
                    }
                } catch (UnknownHostException e) {
                    throw new UncheckedIOException("replica source " + spec + ": " + host + " does not resolve", e);
                }
            }
            case FILE -> {
                List<String> lines;
                try {
                    lines = Files.readAllLines(Path.of(target));
                } catch (IOException e) {
                    throw new UncheckedIOException("replica source " + spec + " cannot be read: " + e, e);
                }
                for (String line : lines) {
                    String member = line.strip();
                    if (member.isEmpty() || member.startsWith("#")) {
                        continue;
                    }
                    checkHostPort(spec, member);
                    out.add(member);
                }
            }
            case LIST -> {
                for (String member : target.split(",")) {
                    out.add(member.strip());
                }
            }
        }
        return List.copyOf(new ArrayList<>(out));
    }

    @Override
    public String toString() {
        return spec;
    }

    private static void checkHostPort(String spec, String member) {
        int colon = member.lastIndexOf(':');
        boolean ok = colon > 0 && colon < member.length() - 1;
        if (ok) {
            try {
                int port = Integer.parseInt(member.substring(colon + 1));
                ok = port > 0 && port < 65536;
            } catch (NumberFormatException e) {
                ok = false;
            }
        }
        if (!ok) {
            throw new IllegalArgumentException("replica source \"" + spec + "\": \"" + member
                    + "\" is not HOST:PORT with a port from 1 to 65535");
        }
    }
}
