package dev.arbiter.rules.llm;

import dev.langchain4j.model.openai.OpenAiChatModel;
import io.quarkiverse.langchain4j.ModelBuilderCustomizer;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * One attempt per call. langchain4j would otherwise retry a 429, a 5xx or a timeout after its own backoff, ignoring
 * the server's Retry-After and doubling the wait behind {@link LlmClient}'s timeout; the configuration cannot say 0
 * ({@code quarkus.langchain4j.openai.max-retries} must be at least 1, which means two attempts). Retrying is
 * {@link LlmClient}'s decision: it does not, and its circuit breaker and the Retry-After decide when to call again.
 */
@ApplicationScoped
public class SingleAttempt implements ModelBuilderCustomizer<OpenAiChatModel.OpenAiChatModelBuilder> {

    @Override
    public void customize(OpenAiChatModel.OpenAiChatModelBuilder builder) {
        builder.maxRetries(0);
    }
}
