package dev.arbiter.rules.llm;

import dev.langchain4j.exception.HttpException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * An HTTP error answer of the LLM server with its Retry-After header, which langchain4j's own exception drops. It is a
 * langchain4j {@link HttpException}, so langchain4j still maps it by status (429 to RateLimitException, 5xx to
 * InternalServerException ...) with this as the cause.
 */
public final class LlmHttpError extends HttpException {

    private final String retryAfter;

    public LlmHttpError(int status, String body, String retryAfter) {
        super(status, body);
        this.retryAfter = retryAfter;
    }

    /** How long the server asked to wait: Retry-After as seconds or as an HTTP date; empty when absent or unreadable. */
    public Optional<Duration> retryAfter(ZonedDateTime now) {
        if (retryAfter == null || retryAfter.isBlank()) {
            return Optional.empty();
        }
        String v = retryAfter.strip();
        try {
            long seconds = Long.parseLong(v);
            return seconds >= 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException unreadable) {
                return Optional.empty();
            }
        }
    }
}
