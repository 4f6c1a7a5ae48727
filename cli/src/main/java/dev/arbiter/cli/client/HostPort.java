package dev.arbiter.cli.client;

/** A service address as given on the command line: {@code host:port}, {@code :port} (local) or {@code host} (default port). */
public record HostPort(String host, int port) {

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * Parses {@code text}; a missing host is 127.0.0.1 and a missing port is {@code defaultPort}.
     *
     * @throws IllegalArgumentException with a message that says what is wrong and what is expected
     */
    public static HostPort parse(String text, int defaultPort) {
        String t = text.trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("the address is empty; give host:port, e.g. 127.0.0.1:9104");
        }
        String host;
        String port;
        if (t.startsWith("[")) { // [::1]:9104
            int close = t.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "' opens an IPv6 address with [ but never closes it");
            }
            host = t.substring(1, close);
            port = t.length() > close + 1 && t.charAt(close + 1) == ':' ? t.substring(close + 2) : "";
        } else {
            int colon = t.lastIndexOf(':');
            if (colon >= 0 && t.indexOf(':') != colon) {
                throw new IllegalArgumentException("'" + text + "' looks like an IPv6 address: write it as [address]:port");
            }
            host = colon < 0 ? t : t.substring(0, colon);
            port = colon < 0 ? "" : t.substring(colon + 1);
        }
        if (host.isEmpty()) {
            host = "127.0.0.1";
        }
        int p = defaultPort;
        if (!port.isEmpty()) {
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the port in '" + text + "' is not a number; give host:port, e.g. 127.0.0.1:9104");
            }
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("the port in '" + text + "' is " + p + "; a port lies in 1..65535");
        }
        return new HostPort(host, p);
    }
}
