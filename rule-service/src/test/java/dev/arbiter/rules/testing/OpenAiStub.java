package dev.arbiter.rules.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * The one stand-in the tests allow: a small OpenAI-compatible HTTP server (POST /v1/chat/completions) that serves
 * scripted replies in order — a good or hostile answer with its token usage, an HTTP error with a Retry-After, a slow
 * answer — so that rule-service's real langchain4j client is tested against every way an LLM answers. With nothing
 * scripted it answers 500. It records each request's body and Authorization header.
 */
public final class OpenAiStub implements AutoCloseable {

    /** One scripted reply. */
    public record Reply(int status, String content, String retryAfter, long delayMs, int promptTokens, int completionTokens) {

        public static Reply answer(String content, int promptTokens, int completionTokens) {
            return new Reply(200, content, null, 0, promptTokens, completionTokens);
        }

        public static Reply answer(String content) {
            return answer(content, 100, 20);
        }

        public static Reply error(int status, String retryAfter) {
            return new Reply(status, null, retryAfter, 0, 0, 0);
        }

        public static Reply slow(long delayMs, String content) {
            return new Reply(200, content, null, delayMs, 100, 20);
        }
    }

    /** What a request carried. */
    public record Request(String body, String authorization) {}

    private final HttpServer server;
    private final Deque<Reply> script = new ArrayDeque<>();
    private final List<Request> requests = new ArrayList<>();

    public OpenAiStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", this::handle);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    /** The base URL a client is configured with. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public synchronized void script(Reply... replies) {
        script.addAll(List.of(replies));
    }

    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    public synchronized int unused() {
        return script.size();
    }

    private void handle(HttpExchange exchange) throws IOException {
        Reply reply;
        synchronized (this) {
            requests.add(new Request(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                    exchange.getRequestHeaders().getFirst("Authorization")));
            reply = script.isEmpty() ? Reply.error(500, null) : script.poll();
        }
        if (reply.delayMs() > 0) {
            try {
                Thread.sleep(reply.delayMs()); // the slow LLM itself, not a test waiting for something
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] body;
        if (reply.status() == 200) {
            body = ("{\"id\":\"chatcmpl-stub\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"test-model\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + quoted(reply.content())
                    + "},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" + reply.promptTokens()
                    + ",\"completion_tokens\":" + reply.completionTokens() + ",\"total_tokens\":"
                    + (reply.promptTokens() + reply.completionTokens()) + "}}").getBytes(StandardCharsets.UTF_8);
        } else {
            body = ("{\"error\":{\"message\":\"scripted " + reply.status() + "\",\"type\":\"stub\"}}").getBytes(StandardCharsets.UTF_8);
            if (reply.retryAfter() != null) {
                exchange.getResponseHeaders().add("Retry-After", reply.retryAfter());
            }
        }
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        try {
            exchange.sendResponseHeaders(reply.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException clientGone) {
            // the client gave up (a timeout): nothing to answer
        }
    }

    /** A JSON string literal. */
    static String quoted(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** How long the tests' client waits for one answer (the stub's slow replies take longer). */
    public static final Duration CALL_TIMEOUT = Duration.ofMillis(1500);
}
