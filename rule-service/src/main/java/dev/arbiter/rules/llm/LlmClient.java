package dev.arbiter.rules.llm;

import static dev.arbiter.service.ObservationTimes.nowMicros;

import dev.arbiter.proto.v1.CircuitState;
import dev.arbiter.proto.v1.LlmStatus;
import dev.arbiter.rules.config.RulesConfig;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.TypedGuard;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The one way rule-service asks the LLM anything: quarkus-langchain4j-openai's ChatModel (so any OpenAI-compatible
 * server), behind a SmallRye Fault Tolerance timeout and circuit breaker, a 429's Retry-After, and the daily token and
 * cost budgets (checked before each call against {@link UsageLedger}, so one call may overshoot them by its own use).
 * Every failure is an {@link Unavailable} whose message says what happened and when to retry; the status of all of it
 * is {@link #status()}. The key is never logged.
 */
@ApplicationScoped
public class LlmClient {

    private static final Logger LOG = Logger.getLogger(LlmClient.class);

    /** One answer and what it cost. */
    public record Answer(String text, long inputTokens, long outputTokens, long latencyMs) {}

    /** The LLM could not be asked or did not answer; the message says why and when to retry. */
    public static final class Unavailable extends Exception {
        public Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    private final ChatModel chat;
    private final RulesConfig.Llm config;
    private final UsageLedger usage;
    private final TypedGuard<ChatResponse> guard;
    private volatile CircuitBreakerState circuit = CircuitBreakerState.CLOSED;
    private volatile long openedAtMicros;
    private volatile long rateLimitedUntilMicros;
    private volatile String lastError = "";
    private volatile long lastErrorMicros;
    private volatile long lastSuccessMicros;
    private volatile long lastLatencyMs;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final boolean offlineReady;

    public LlmClient(ChatModel chat, RulesConfig config, UsageLedger usage) {
        this.chat = chat;
        this.config = config.llm();
        this.usage = usage;
        this.offlineReady = config.backtest().series().isPresent();
        this.guard = TypedGuard.create(ChatResponse.class)
                .withTimeout().duration(this.config.callTimeout().toMillis(), ChronoUnit.MILLIS).done()
                .withCircuitBreaker()
                .name("arbiter-rules-llm")
                .requestVolumeThreshold(this.config.breakerWindow())
                .failureRatio(this.config.breakerFailureRatio())
                .delay(this.config.breakerDelay().toMillis(), ChronoUnit.MILLIS)
                .successThreshold(1)
                .onStateChange(this::circuitChanged)
                .done()
                .build();
    }

    /** Whether an LLM is configured at all (arbiter.rules.llm.base-url). */
    public boolean configured() {
        return config.baseUrl().isPresent();
    }

    /** The model asked, recorded as the author of its proposals. */
    public String model() {
        return config.model();
    }

    /** Asks for one answer to {@code system} and {@code user}, as a JSON object. */
    public Answer ask(String system, String user) throws Unavailable {
        if (!configured()) {
            throw new Unavailable("no LLM is configured (set ARBITER_LLM_BASE_URL to an OpenAI-compatible server)");
        }
        long now = nowMicros();
        if (now < rateLimitedUntilMicros) {
            throw new Unavailable("the LLM answered 429 (rate limited); retry after " + Instant.EPOCH.plus(rateLimitedUntilMicros,
                    ChronoUnit.MICROS));
        }
        checkBudgets();
        ChatRequest request = ChatRequest.builder()
                .messages(SystemMessage.from(system), UserMessage.from(user))
                .responseFormat(ResponseFormat.JSON)
                .build();
        long start = System.nanoTime();
        try {
            ChatResponse response = guard.call(() -> chat.chat(request));
            long latency = (System.nanoTime() - start) / 1_000_000;
            TokenUsage tokens = response.tokenUsage();
            long in = tokens == null || tokens.inputTokenCount() == null ? 0 : tokens.inputTokenCount();
            long out = tokens == null || tokens.outputTokenCount() == null ? 0 : tokens.outputTokenCount();
            record(in, out);
            lastLatencyMs = latency;
            lastSuccessMicros = nowMicros();
            consecutiveFailures.set(0);
            String text = response.aiMessage() == null ? null : response.aiMessage().text();
            return new Answer(text == null ? "" : text, in, out, latency);
        } catch (CircuitBreakerOpenException e) {
            throw new Unavailable("the LLM's circuit is open after " + consecutiveFailures.get() + " failed call(s) (last: "
                    + lastError + "); next trial call after " + Instant.EPOCH.plus(nextTrialMicros(), ChronoUnit.MICROS));
        } catch (TimeoutException e) {
            throw failed("no answer within " + config.callTimeout().toMillis() + " ms", start);
        } catch (Exception e) {
            throw failed(describe(e), start);
        }
    }

    private void checkBudgets() throws Unavailable {
        UsageLedger.Day today;
        try {
            today = usage.today();
        } catch (SQLException e) {
            throw new Unavailable("the LLM's usage ledger (PostgreSQL) did not answer, so the budgets cannot be checked; retry");
        }
        if (today.tokens() >= config.dailyTokenBudget()) {
            throw new Unavailable("the daily token budget is spent (" + today.tokens() + " of " + config.dailyTokenBudget()
                    + " tokens); it resets at 00:00 UTC");
        }
        if (today.cost() >= config.dailyCostBudget()) {
            throw new Unavailable(String.format(Locale.ROOT, "the daily cost budget is spent (%.4f of %.4f); it resets at "
                    + "00:00 UTC", today.cost(), config.dailyCostBudget()));
        }
    }

    private void record(long in, long out) {
        double cost = in * config.pricePerMillionInputTokens() / 1e6 + out * config.pricePerMillionOutputTokens() / 1e6;
        try {
            usage.add(in, out, cost);
        } catch (SQLException e) {
            // the answer is good; the budget undercounts this call
            LOG.warnf("the LLM's usage of one call (%d + %d tokens) could not be recorded: %s", in, out, e.getMessage());
        }
    }

    private Unavailable failed(String what, long startNanos) {
        lastLatencyMs = (System.nanoTime() - startNanos) / 1_000_000;
        lastError = what;
        lastErrorMicros = nowMicros();
        int failures = consecutiveFailures.incrementAndGet();
        LOG.warnf("LLM call failed (%d in a row): %s", failures, what);
        return new Unavailable("the LLM did not answer: " + what);
    }

    /** The error in words, with the HTTP status and, after a 429, the wait it asked for (which is then kept). */
    private String describe(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HttpException h) {
                String what = "HTTP " + h.statusCode();
                if (h.statusCode() == 429) {
                    Duration wait = t instanceof LlmHttpError x ? x.retryAfter(ZonedDateTime.now(ZoneOffset.UTC))
                            .orElse(config.defaultRetryAfter()) : config.defaultRetryAfter();
                    rateLimitedUntilMicros = nowMicros() + wait.toNanos() / 1_000;
                    what += " (rate limited; retry after " + Instant.EPOCH.plus(rateLimitedUntilMicros, ChronoUnit.MICROS) + ")";
                }
                return what;
            }
            if (t instanceof java.util.concurrent.TimeoutException) {
                return "no answer within the HTTP timeout (" + t.getClass().getSimpleName() + ")";
            }
        }
        // never the request or the key: the exception's class and its first line
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }

    private void circuitChanged(CircuitBreakerState s) {
        if (s == CircuitBreakerState.OPEN) {
            openedAtMicros = nowMicros();
        }
        circuit = s;
        LOG.infof("LLM circuit %s", s);
    }

    private long nextTrialMicros() {
        return openedAtMicros + config.breakerDelay().toNanos() / 1_000;
    }

    /** Everything GetLlmStatus reports. */
    public LlmStatus status() {
        long now = nowMicros();
        boolean rateLimited = now < rateLimitedUntilMicros;
        UsageLedger.Day today;
        String ledger = null;
        try {
            today = usage.today();
        } catch (SQLException e) {
            today = new UsageLedger.Day(0, 0, 0, 0);
            ledger = "the usage ledger (PostgreSQL) did not answer";
        }
        boolean overBudget = today.tokens() >= config.dailyTokenBudget() || today.cost() >= config.dailyCostBudget();
        CircuitState state = switch (circuit) {
            case CLOSED -> CircuitState.CIRCUIT_STATE_CLOSED;
            case OPEN -> CircuitState.CIRCUIT_STATE_OPEN;
            case HALF_OPEN -> CircuitState.CIRCUIT_STATE_HALF_OPEN;
        };
        boolean degraded = !configured() || circuit == CircuitBreakerState.OPEN || rateLimited || overBudget;
        long next = Math.max(circuit == CircuitBreakerState.OPEN ? nextTrialMicros() : 0, rateLimited ? rateLimitedUntilMicros : 0);
        LlmStatus.Builder b = LlmStatus.newBuilder()
                .setConfigured(configured())
                .setAvailable(configured() && lastSuccessMicros > lastErrorMicros && circuit == CircuitBreakerState.CLOSED
                        && !rateLimited)
                .setCircuitState(state)
                .setLastError(ledger != null ? ledger : lastError)
                .setLastErrorTsMicros(lastErrorMicros)
                .setLastSuccessTsMicros(lastSuccessMicros)
                .setConsecutiveFailures(consecutiveFailures.get())
                .setDegraded(degraded)
                .setModelName(config.model())
                .setLastLatencyMs(lastLatencyMs)
                .setNextAttemptTsMicros(next > now ? next : 0)
                .setCallTimeoutMs(config.callTimeout().toMillis())
                .setRateLimitedUntilTsMicros(rateLimited ? rateLimitedUntilMicros : 0)
                .setTokensToday(today.tokens())
                .setDailyTokenBudget(config.dailyTokenBudget())
                .setCostToday(today.cost())
                .setDailyCostBudget(config.dailyCostBudget())
                .setCallsToday(today.calls());
        if (degraded) {
            b.setDegradedMode("no proposals from the LLM: " + (!configured() ? "none is configured"
                    : circuit == CircuitBreakerState.OPEN ? "its circuit is open"
                    : rateLimited ? "it asked to wait (429)" : "the daily budget is spent")
                    + (offlineReady ? "; ProposeRules proposes from the offline search (rule templates tuned on history)"
                    : "; the offline search needs arbiter.rules.backtest.series, so ProposeRules makes none"));
        }
        return b.build();
    }
}
