package dev.arbiter.rules.testing;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Slack-compatible webhook endpoint for rule-service's proposal alerts: every body posted to it, in order. Slack
 * itself is out of reach of these machines; what rule-service sends is what is checked.
 */
public class WebhookReceiverResource implements QuarkusTestResourceLifecycleManager {

    public static final BlockingQueue<String> BODIES = new LinkedBlockingQueue<>();
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/hook", exchange -> {
            BODIES.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return Map.of("arbiter.alerts.webhook-url", "http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    /** The first body posted (from now on or already queued) that contains {@code text}; null after 10 s without. */
    public static String awaitBody(String text) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (long left; (left = end - System.nanoTime()) > 0; ) {
            String body = BODIES.poll(left, TimeUnit.NANOSECONDS);
            if (body != null && body.contains(text)) {
                return body;
            }
        }
        return null;
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
