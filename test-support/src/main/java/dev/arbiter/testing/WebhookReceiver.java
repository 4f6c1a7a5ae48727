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

/** A real HTTP receiver for alert webhooks on a free local port: keeps every body posted to {@code /hooks/alerts}. */
public final class WebhookReceiver implements AutoCloseable {

    private final HttpServer server;
    private final LinkedBlockingQueue<String> arrived = new LinkedBlockingQueue<>();
    private final List<String> all = new CopyOnWriteArrayList<>();

    public WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/hooks/alerts", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                all.add(body);
                arrived.add(body);
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    /** The URL to configure as {@code arbiter.alerts.webhook-url}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/alerts";
    }

    /** Every body received so far, in order. */
    public List<String> bodies() {
        return List.copyOf(all);
    }

    /** Waits for a body (received since the last wait) matching {@code matches}; fails after {@code seconds}. */
    public String await(Predicate<String> matches, int seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            long left = end - System.nanoTime();
            String body = left > 0 ? arrived.poll(left, TimeUnit.NANOSECONDS) : null;
            if (body == null) {
                throw new AssertionError("no matching webhook post within " + seconds + " s; received " + all);
            }
            if (matches.test(body)) {
                return body;
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
