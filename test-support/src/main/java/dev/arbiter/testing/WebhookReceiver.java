package dev.arbiter.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real HTTP receiver for alert webhooks on a free local port: keeps every request posted to {@code /hooks/alerts}
 * and answers each with {@link #respondWith} (200 unless told otherwise).
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One request as it arrived. */
    public record Post(String method, String contentType, String body) {
    }

    private final HttpServer server;
    private final LinkedBlockingQueue<Post> arrived = new LinkedBlockingQueue<>();
    private final List<Post> all = new CopyOnWriteArrayList<>();
    private volatile int status = 200;

    public WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/hooks/alerts", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                Post p = new Post(exchange.getRequestMethod(), exchange.getRequestHeaders().getFirst("Content-Type"),
                        new String(in.readAllBytes(), StandardCharsets.UTF_8));
                all.add(p);
                arrived.add(p);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    /** The URL to configure as {@code arbiter.alerts.webhook-url}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/alerts";
    }

    /** The HTTP status the next requests are answered with (e.g. 500 for a failing webhook). */
    public void respondWith(int status) {
        this.status = status;
    }

    /** Every request received so far, in order. */
    public List<Post> posts() {
        return List.copyOf(all);
    }

    /** Every body received so far, in order. */
    public List<String> bodies() {
        return all.stream().map(Post::body).toList();
    }

    /** Waits for a body (received since the last wait) matching {@code matches}; fails after {@code seconds}. */
    public String await(Predicate<String> matches, int seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            long left = end - System.nanoTime();
            Post p = left > 0 ? arrived.poll(left, TimeUnit.NANOSECONDS) : null;
            if (p == null) {
                throw new AssertionError("no matching webhook post within " + seconds + " s; received " + bodies());
            }
            if (matches.test(p.body())) {
                return p.body();
            }
        }
    }

    /** Stops listening: later posts find nothing on the port. */
    @Override
    public void close() {
        server.stop(0);
    }
}
